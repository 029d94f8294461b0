// The echo example on ZMQStream: a ROUTER echo server and a DEALER client on one IOLoop, in one process.
//
//   node examples/echostream/echostream.mjs [--count N]      (default N = 5000)
//
// It prints the first few round trips, then times N round trips one at a time (latency) and N messages
// in flight at once (throughput), and exits 0. Callbacks instead of a handler: the stream receives,
// queues sends until the socket is writable, and calls onRecv once per message.
import * as zmq from "zeromq"
import { IOLoop } from "@zmq-eventloop/ioloop"
import { ZMQStream } from "@zmq-eventloop/zmqstream"

const countArg = process.argv.indexOf("--count")
const count = countArg > 0 ? Number(process.argv[countArg + 1]) : 5000
if (!Number.isInteger(count) || count < 1) {
  console.error("usage: node examples/echostream/echostream.mjs [--count N]  (N a positive integer)")
  process.exit(2)
}

const loop = new IOLoop()
const router = new zmq.Router({ linger: 0 })
await router.bind("tcp://127.0.0.1:*")
console.log(`echo server (ROUTER) listening on ${router.lastEndpoint}`)
const dealer = new zmq.Dealer({ linger: 0 })
dealer.connect(router.lastEndpoint)

// Server: a ROUTER message is [routing id, payload]; sending it back unchanged routes it to its sender.
const server = new ZMQStream(router, loop)
server.onRecv((msg) => server.sendMultipart(msg))

const client = new ZMQStream(dealer, loop)

// Each phase sets `onReply` and starts sending; the client's onRecv forwards every reply to it.
let onReply = null
client.onRecv(([payload]) => onReply(payload))

function shown(n) {
  return new Promise((resolve) => {
    let i = 0
    let sentAt = 0
    const ping = () => {
      sentAt = performance.now()
      client.send(`ping ${i + 1}`)
    }
    onReply = (payload) => {
      const ms = (performance.now() - sentAt).toFixed(3)
      console.log(`round trip ${i + 1}: sent "ping ${i + 1}", got "${payload}" back in ${ms} ms`)
      if (++i < n) ping()
      else resolve()
    }
    ping()
  })
}

function oneAtATime(n) {
  return new Promise((resolve) => {
    let i = 0
    const started = performance.now()
    onReply = () => {
      if (++i < n) client.send("ping")
      else resolve(performance.now() - started)
    }
    client.send("ping")
  })
}

function allInFlight(n) {
  return new Promise((resolve) => {
    let i = 0
    const started = performance.now()
    onReply = () => {
      if (++i === n) resolve(performance.now() - started)
    }
    for (let j = 0; j < n; j++) client.send("ping") // queued by the stream, sent as the socket allows
  })
}

function report(label, ms) {
  const rate = Math.round((count / ms) * 1000)
  console.log(`${label}: ${count} round trips in ${ms.toFixed(1)} ms, ${rate} per second`)
}

// The phases run from a callback on the loop; loop.start() returns when the last one stops it.
loop.addCallback(async () => {
  await shown(3)
  report("one at a time", await oneAtATime(count))
  report("all in flight", await allInFlight(count))
  loop.stop()
})
await loop.start()
client.close()
server.close()
loop.close()
console.log("echostream done")
