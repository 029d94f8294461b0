// No readiness the loop read survives a call that can change it: connect, bind, an option change or a
// subscription made on a registered socket from a loop callback, followed by a send, must still send (on
// the fd poller the loop used to keep a ZMQ_EVENTS value read before the connect, and waited forever).
import * as zmq from "zeromq"
import type { IOLoop } from "@zmq-eventloop/ioloop"
import { ZMQStream } from "../src/index.js"
import { bindAny, deferred, loopTest } from "./helpers/loop.js"

let endpoints = 0
const nextInproc = () => `inproc://stale-readiness-${process.pid}-${++endpoints}`

/** Resolves after the loop ran two more iterations (so it has read the events of every new socket). */
async function settle(loop: IOLoop): Promise<void> {
  for (let i = 0; i < 2; i++) await new Promise<void>((resolve) => loop.addCallback(resolve))
}

loopTest("a send right after connect() from a loop callback is sent", async (t, { loop, track }) => {
  const endpoint = nextInproc()
  const a = new ZMQStream(track(new zmq.Pair()), loop)
  await a.bind(endpoint)
  const got = deferred<string>()
  a.onRecv(([msg]) => got.resolve(msg!.toString()))
  const b = new ZMQStream(track(new zmq.Pair()), loop)
  await settle(loop)
  loop.addCallback(() => {
    b.connect(endpoint)
    b.send("hi")
  })
  t.equal(await got.wait(`"hi" through ${endpoint}, b.sending() = ${String(b.sending())}`), "hi")
  t.notOk(b.sending(), "nothing left queued")
})

loopTest("a send right after bind() from a loop callback is sent", async (t, { loop, track }) => {
  const endpoint = nextInproc()
  const a = new ZMQStream(track(new zmq.Pair()), loop)
  a.connect(endpoint) // inproc lets a connect wait for its bind
  const got = deferred<string>()
  a.onRecv(([msg]) => got.resolve(msg!.toString()))
  const b = new ZMQStream(track(new zmq.Pair()), loop)
  await settle(loop)
  loop.addCallback(() => {
    void b.bind(endpoint)
    b.send("hi")
  })
  t.equal(await got.wait(`"hi" through ${endpoint}, b.sending() = ${String(b.sending())}`), "hi")
})

loopTest("a subscribe() from a loop callback is seen by the SUB stream", async (t, { loop, track }) => {
  const pub = track(new zmq.Publisher())
  const endpoint = await bindAny(pub)
  const sub = new ZMQStream(track(new zmq.Subscriber()), loop)
  sub.connect(endpoint)
  const got = deferred<string>()
  sub.onRecv(([msg]) => got.resolve(msg!.toString()))
  await settle(loop)
  loop.addCallback(() => sub.subscribe("a"))
  // Publish until the subscription has reached the publisher (PUB drops what nobody subscribed to yet).
  const ticker = setInterval(() => void pub.send("a tick").catch(() => {}), 5)
  t.teardown(() => clearInterval(ticker))
  t.equal(await got.wait("a message on topic a"), "a tick")
})

loopTest(
  "an option change on a registered socket makes the loop read its events again",
  async (t, { loop, track }) => {
    const pull = track(new zmq.Pull())
    const endpoint = await bindAny(pull, "inproc")
    const push = new ZMQStream(track(new zmq.Push({ sendHighWaterMark: 1 })), loop)
    push.connect(endpoint)
    let sent = 0
    push.onSend(() => sent++)
    const received = deferred()
    let count = 0
    const N = 20
    await settle(loop)
    loop.addCallback(() => {
      push.setsockopt("ZMQ_SNDHWM", 1000)
      for (let i = 0; i < N; i++) push.send(String(i))
    })
    void (async () => {
      for (; count < N; count++) await pull.receive()
      received.resolve()
    })()
    await received.wait(`${N} messages (got ${count}, sent ${sent})`)
    t.equal(count, N)
  },
)
