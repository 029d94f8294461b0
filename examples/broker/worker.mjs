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
import { endpoint, integerOption, parseCommandLine } from "../lib/cli.mjs"
import { stopOnSignals } from "../lib/deadline.mjs"

const {
  values: { name = String(process.pid), delay, heartbeat },
  positionals: [backend],
} = parseCommandLine({
  usage: "node examples/broker/worker.mjs <backend endpoint> [--name NAME] [--delay MS] [--heartbeat MS]",
  options: {
    name: { type: "string", arg: "NAME", help: "shown in its replies (default: the pid)" },
    delay: integerOption("MS", 10, "pretend work", 0),
    heartbeat: integerOption("MS", 1000, "the broker's"),
  },
  positionals: { min: 1, max: 1, parse: [endpoint] },
})
const HEARTBEAT_MS = heartbeat
const LIVENESS = 3

const loop = new IOLoop()
let stream = null
let brokerExpiry = 0
let handled = 0

function connect() {
  const socket = new zmq.Dealer({ linger: 0 })
  socket.connect(backend)
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
console.log(`worker ${name} connected to ${backend}`)

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

stopOnSignals(loop, `worker ${name}`)
await loop.start()
stream.close()
loop.close()
console.log(`worker ${name} stopped after ${handled} requests`)
