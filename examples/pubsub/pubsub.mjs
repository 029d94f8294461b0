// PUB/SUB on ZMQStream: a publisher sends ticks from a PeriodicCallback on three topics, and three
// subscriber streams each subscribe to some of them. One subscriber's callback runs inside an
// ExceptionStackContext: when it throws, the context's handler deals with the error and the loop, the
// stream and the other subscribers carry on.
//
//   node examples/pubsub/pubsub.mjs [--ticks N] [--period MS] [--timeout MS]
//
// Defaults: 12 ticks, 50 ms apart. It exits 0 after the last tick has reached every subscriber; past
// --timeout (30000 ms) it says what has not arrived and exits 1.
import * as zmq from "zeromq"
import { IOLoop, PeriodicCallback } from "@zmq-eventloop/ioloop"
import { ZMQStream } from "@zmq-eventloop/zmqstream"
import { ExceptionStackContext } from "@zmq-eventloop/stack-context"
import { integerOption, parseCommandLine, timeoutOption } from "../lib/cli.mjs"
import { watchdog } from "../lib/deadline.mjs"

const {
  values: { ticks, period, timeout },
} = parseCommandLine({
  usage: "node examples/pubsub/pubsub.mjs [--ticks N] [--period MS] [--timeout MS]",
  options: {
    ticks: integerOption("N", 12, "ticks to publish"),
    period: integerOption("MS", 50, "time between ticks"),
    timeout: timeoutOption(30000),
  },
})

const topics = ["weather", "sports", "news"]
const subscriptions = { alice: ["weather"], bob: ["sports", "news"], carol: [""] } // "" = every topic

const loop = new IOLoop()

// An XPUB socket is a PUB socket that also receives its subscribers' subscriptions; the publisher uses
// them to wait for everyone before its first tick (a plain PUB drops what it sends before a SUB joins).
// noDrop: a PUB also drops silently what a subscriber has no room for (its high-water mark); with
// ZMQ_XPUB_NODROP that send fails with EAGAIN and the stream waits to send it, so the "done" that ends the
// run always arrives. The cost, fine here: a subscriber that stops reading holds up the others.
const pubSocket = new zmq.XPublisher({ linger: 0, noDrop: true })
pubSocket.verbosity = "allSubs" // pass on every subscription, not only the first to each topic
await pubSocket.bind("tcp://127.0.0.1:*")
console.log(`publisher bound to ${pubSocket.lastEndpoint}`)
const publisher = new ZMQStream(pubSocket, loop)

let tick = 0
const ticker = new PeriodicCallback(
  () => {
    tick++
    const topic = topics[(tick - 1) % topics.length]
    publisher.sendMultipart([topic, JSON.stringify({ tick, at: new Date().toISOString() })])
    if (tick === ticks) {
      ticker.stop()
      publisher.sendMultipart(["done", String(ticks)]) // every subscriber subscribes to "done" too
    }
  },
  period,
  loop,
)

// Subscriptions arrive as one frame: 1 (subscribe) then the topic. Start ticking when all are in.
const subscribers = Object.keys(subscriptions)
let pendingSubscriptions = Object.values(subscriptions).flat().length + subscribers.length
publisher.onRecv(([frame]) => {
  if (frame[0] === 1 && --pendingSubscriptions === 0) {
    console.log(`all subscribers connected; ticking every ${period} ms`)
    ticker.start()
  }
})

const received = {}
const finished = new Set()
const deadline = watchdog("pubsub", timeout, () =>
  pendingSubscriptions > 0
    ? `${pendingSubscriptions} subscriptions not seen by the publisher`
    : `no "done" at ${subscribers.filter((name) => !finished.has(name)).join(", ")} (${tick} of ${ticks} ticks sent)`,
)
for (const [name, prefixes] of Object.entries(subscriptions)) {
  const sub = new zmq.Subscriber({ linger: 0 })
  sub.connect(pubSocket.lastEndpoint)
  const stream = new ZMQStream(sub, loop)
  for (const prefix of [...prefixes, "done"]) stream.subscribe(prefix)
  received[name] = 0

  const onTick = ([topic, body]) => {
    if (topic.toString() === "done") {
      console.log(`${name} got ${received[name]} ticks`)
      finished.add(name)
      if (finished.size === subscribers.length) loop.stop()
      return
    }
    const { tick } = JSON.parse(body)
    received[name]++
    console.log(`${name} <- ${topic} tick ${tick}`)
    // bob's code has a bug: it cannot handle a news tick divisible by 3.
    if (name === "bob" && topic.toString() === "news" && tick % 3 === 0) {
      throw new Error(`bob cannot handle tick ${tick}`)
    }
  }

  if (name === "bob") {
    // The callback is registered inside the context, so every later call runs inside it too: its errors
    // go to this handler, which returns true to say "handled" (the stream stays open).
    new ExceptionStackContext((error) => {
      console.log(`bob's error handler caught: ${error.message} (the loop keeps going)`)
      return true
    }).run(() => stream.onRecv(onTick))
  } else {
    stream.onRecv(onTick)
  }
}

await loop.start()
deadline.cancel()
loop.close(true) // closes the sockets of every stream on the loop
console.log("pubsub done")
