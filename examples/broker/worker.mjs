// A worker for examples/broker/broker.mjs: connects a DEALER stream to the broker's backend, says READY,
// handles one request at a time (after --delay ms of pretend work), and heartbeats with the broker. If the
// broker goes silent it reconnects with a fresh socket and says READY again.
//
//   node examples/broker/worker.mjs <backend endpoint> [--name NAME] [--delay MS] [--heartbeat MS]
//
// Defaults: name = the pid, delay 10 ms, heartbeat 1000 ms (use the broker's). Runs until SIGINT or SIGTERM.
import * as zmq from "zeromq"
import { IOLoop, PeriodicCallback } from "@zmq-eventloop/ioloop"
import { ZMQStream } from "@zmq-eventloop/zmqstream"

const [endpoint] = process.argv.slice(2)
if (!endpoint?.includes("://")) {
  console.error("usage: node examples/broker/worker.mjs <backend endpoint> [--name NAME] [--delay MS]")
  process.exit(2)
}
const option = (flag, fallback) => {
  const i = process.argv.indexOf(flag)
  return i > 0 ? process.argv[i + 1] : fallback
}
const name = option("--name", String(process.pid))
const delay = Number(option("--delay", 10))
const HEARTBEAT_MS = Number(option("--heartbeat", 1000))
const LIVENESS = 3

const loop = new IOLoop()
let stream = null
let brokerExpiry = 0
let handled = 0

function connect() {
  const socket = new zmq.Dealer({ linger: 0 })
  socket.connect(endpoint)
  stream = new ZMQStream(socket, loop)
  stream.onRecv(([command, client, requestId, payload]) => {
    brokerExpiry = loop.time() + HEARTBEAT_MS * LIVENESS
    if (command.toString() !== "REQUEST") return // a heartbeat: noted above
    const replyTo = stream // a reply goes out on the socket the request came in on
    loop.callLater(delay, () => {
      replyTo.sendMultipart(["REPLY", client, requestId, `${payload} handled by ${name}`])
      console.log(`worker ${name} handled request ${requestId} (${++handled} so far)`)
    })
  })
  stream.send("READY")
  brokerExpiry = loop.time() + HEARTBEAT_MS * LIVENESS
}

connect()
console.log(`worker ${name} connected to ${endpoint}`)

new PeriodicCallback(
  () => {
    if (loop.time() < brokerExpiry) return stream.send("HEARTBEAT")
    console.log(`worker ${name}: broker silent, reconnecting`)
    stream.close() // a fresh socket gets a fresh routing id: the broker sees a new worker
    connect()
  },
  HEARTBEAT_MS,
  loop,
).start()

const stop = () => loop.addCallback(() => loop.stop())
process.once("SIGINT", stop)
process.once("SIGTERM", stop)
await loop.start()
stream.close()
loop.close()
console.log(`worker ${name} stopped after ${handled} requests`)
