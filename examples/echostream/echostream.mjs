// The echo example on ZMQStream: a ROUTER echo server and a DEALER client on one IOLoop, in one process.
//
//   node examples/echostream/echostream.mjs [--count N] [--timeout MS]   (defaults: 5000, 30000 ms)
//
// It prints the first few round trips, then times N round trips one at a time (latency) and N messages
// in flight at once (throughput), and exits 0; past --timeout it says how far it got and exits 1.
// Callbacks instead of a handler: the stream receives, queues sends until the socket is writable, and
// calls onRecv once per message.
import * as zmq from "zeromq"
import { IOLoop } from "@zmq-eventloop/ioloop"
import { ZMQStream } from "@zmq-eventloop/zmqstream"
import { integerOption, parseCommandLine, timeoutOption } from "../lib/cli.mjs"
import { watchdog } from "../lib/deadline.mjs"

const {
  values: { count, timeout },
} = parseCommandLine({
  usage: "node examples/echostream/echostream.mjs [--count N] [--timeout MS]",
  options: {
    count: integerOption("N", 5000, "round trips per phase"),
    timeout: timeoutOption(30000),
  },
})

// What the run is waiting for, for the watchdog's line: the phase and its replies so far.
const progress = { phase: "connecting", replies: 0, expected: 0 }
const deadline = watchdog(
  "echostream",
  timeout,
  () => `${progress.replies} of ${progress.expected} replies in phase "${progress.phase}"`,
)

const loop = new IOLoop()
// mandatory: a plain ROUTER silently drops a reply when the pipe to its peer is full (the high-water mark,
// 1000 messages by default), which the "all in flight" phase reaches: the client then waits for replies
// that will never come. ROUTER_MANDATORY makes that send fail with EAGAIN instead, and the stream keeps the
// reply queued until the socket is writable again: back-pressure, nothing lost. Chosen over a bounded
// in-flight window in the client because the server must not lose replies whatever its clients do.
const router = new zmq.Router({ linger: 0, mandatory: true })
await router.bind("tcp://127.0.0.1:*")
console.log(`echo server (ROUTER) listening on ${router.lastEndpoint}`)
const dealer = new zmq.Dealer({ linger: 0 })
dealer.connect(router.lastEndpoint)

// Server: a ROUTER message is [routing id, payload]; sending it back unchanged routes it to its sender.
const server = new ZMQStream(router, loop)
server.onRecv((msg) => server.sendMultipart(msg))
// With mandatory, a reply to a peer that has gone away fails (EHOSTUNREACH) instead of vanishing.
server.onErr((error) => console.error(`echostream: a reply could not be sent: ${error.message}`))

const client = new ZMQStream(dealer, loop)

// Each phase sets `onReply` and starts sending; the client's onRecv counts and forwards every reply.
let onReply = null
client.onRecv(([payload]) => {
  progress.replies++
  onReply(payload)
})

function begin(phase, expected) {
  Object.assign(progress, { phase, replies: 0, expected })
}

function shown(n) {
  begin("shown", n)
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
  begin("one at a time", n)
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
  begin("all in flight", n)
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
deadline.cancel()
client.close()
server.close()
loop.close()
console.log("echostream done")
