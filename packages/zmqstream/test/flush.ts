// ZMQStream.flush(flag, limit): ported from pyzmq's flush algorithm (zmq/eventloop/zmqstream.py) and the
// way ipykernel calls it from outside the loop (`flush(POLLIN, 1)`, `flush(POLLOUT)`).
import * as zmq from "zeromq"
import { IOLoop } from "@zmq-eventloop/ioloop"
import t from "tap"
import { POLLIN, POLLOUT, ZMQStream } from "../src/index.js"
import { bindAny, loopTest, waitFor } from "./helpers/loop.js"

async function pair() {
  const loop = new IOLoop({ makeCurrent: false, poller: "interval" })
  const pull = new zmq.Pull()
  const push = new zmq.Push()
  // inproc: a message sent is in the PULL's queue at once, so counts never race the network
  push.connect(await bindAny(pull, "inproc"))
  const pullStream = new ZMQStream(pull, loop)
  const pushStream = new ZMQStream(push, loop)
  const done = () => {
    pullStream.close(0)
    pushStream.close(0)
    loop.close()
  }
  return { loop, pull, push, pullStream, pushStream, done }
}

t.test("flush() with the loop stopped sends every queued message and resolves to the count", async (t) => {
  const { pull, pushStream, done } = await pair()
  let onSend = 0
  pushStream.onSend(() => onSend++)
  for (let i = 0; i < 5; i++) pushStream.send(String(i))
  t.equal(await pushStream.flush(), 5)
  t.equal(onSend, 5)
  t.notOk(pushStream.sending())
  for (let i = 0; i < 5; i++) t.equal(String((await pull.receive())[0]), String(i))
  t.equal(await pushStream.flush(), 0, "nothing pending: 0")
  done()
})

t.test(
  "flush(POLLIN, limit) delivers at most limit messages, in order; flush(POLLOUT) on a reader is 0",
  async (t) => {
    const { push, pull, pullStream, done } = await pair()
    for (let i = 0; i < 6; i++) await push.send(String(i))
    await waitFor(() => pull.readable, "messages queued")
    const got: string[] = []
    pullStream.onRecv((msg) => got.push(String(msg[0])))
    t.equal(await pullStream.flush(POLLIN, 2), 2)
    t.same(got, ["0", "1"])
    t.equal(await pullStream.flush(POLLOUT), 0)
    t.equal(await pullStream.flush(POLLIN, 1), 1, "ipykernel's flush(POLLIN, 1)")
    t.same(got, ["0", "1", "2"])
    // (On the native data path the rest already waits in the stream's batch, out of libzmq.)
    await waitFor(() => pullStream.dataPath === "native" || pull.readable, "the rest to be readable")
    t.equal(await pullStream.flush(POLLIN, 0), 3, "limit 0 means no limit")
    t.same(got, ["0", "1", "2", "3", "4", "5"])
    done()
  },
)

t.test("flush(POLLIN) without a recv callback drops and counts messages, kept ones first", async (t) => {
  const { push, pull, pullStream, loop, done } = await pair()
  for (let i = 0; i < 4; i++) await push.send(String(i))
  await waitFor(() => pull.readable, "messages queued")
  const running = loop.start()
  const got: string[] = []
  pullStream.onRecv((msg) => {
    got.push(String(msg[0]))
    pullStream.stopOnRecv() // later messages of the chunk are kept
  })
  await waitFor(() => got.length === 1, "the first message")
  loop.stop()
  await running
  await waitFor(() => pull.readable || got.length > 0, "state to settle")
  t.equal(await pullStream.flush(POLLIN), 3, "kept and new messages are dropped and counted")
  t.same(got, ["0"], "none delivered")
  t.equal(await pullStream.flush(POLLIN), 0)
  done()
})

loopTest(
  "flush calls racing the loop's own dispatch neither repeat nor reorder messages",
  async (t, { loop, track }) => {
    const pull = track(new zmq.Pull())
    const push = track(new zmq.Push())
    push.connect(await bindAny(pull))
    const stream = new ZMQStream(pull, loop)
    const seen: number[] = []
    stream.onRecv((msg) => seen.push(Number(String(msg[0]))))
    const N = 3000
    let flushed = 0
    const flusher = setInterval(() => void stream.flush(POLLIN, 1).then((n) => (flushed += n)), 0)
    for (let i = 0; i < N; i++) await push.send(String(i))
    await waitFor(() => seen.length >= N, `${N} messages`, 30_000)
    clearInterval(flusher)
    t.same(
      seen,
      Array.from({ length: N }, (_, i) => i),
      "in order, once each",
    )
    t.ok(flushed >= 0, `flush took ${flushed}`)
    stream.close()
  },
)

loopTest(
  "flush(POLLOUT) while the loop is sending finishes the queue in order",
  async (t, { loop, track }) => {
    const pull = track(new zmq.Pull())
    const push = track(new zmq.Push())
    push.connect(await bindAny(pull))
    const stream = new ZMQStream(push, loop)
    const N = 2000
    for (let i = 0; i < N; i++) stream.send(String(i))
    const count = await stream.flush(POLLOUT)
    t.ok(count <= N)
    const got: string[] = []
    while (got.length < N) got.push(String((await pull.receive())[0]))
    t.same(
      got,
      Array.from({ length: N }, (_, i) => String(i)),
    )
    stream.close()
  },
)

loopTest(
  "flush() calls that overlap (a flush from each of two async recv callbacks) send each message once",
  async (t, { loop, track }) => {
    const pull = track(new zmq.Pull())
    const push = track(new zmq.Push())
    push.connect(await bindAny(pull))
    const stream = new ZMQStream(push, loop)
    // ipykernel 5 replies, then calls stream.flush(POLLOUT), from each request's handler: with async
    // handlers the flushes overlap, all waiting for the same send in flight.
    const N = 6
    for (let i = 0; i < N; i++) stream.send(String(i))
    const counts = await Promise.all([stream.flush(POLLOUT), stream.flush(POLLOUT), stream.flush()])
    t.ok(counts.reduce((sum, n) => sum + n, 0) <= N, `no message counted twice (${counts.join(" + ")})`)
    t.notOk(stream.sending(), "the queue is empty")
    const got: string[] = []
    while (got.length < N) got.push(String((await pull.receive())[0]))
    t.same(
      got,
      Array.from({ length: N }, (_, i) => String(i)),
      "in order, once each",
    )
    pull.receiveTimeout = 0
    await t.rejects(pull.receive(), { code: "EAGAIN" }, "no duplicate follows")
    stream.close()
  },
)

loopTest(
  "a flush() from the callback of a message kept since stopOnRecv() keeps every message in order",
  async (t, { loop, track }) => {
    const pull = track(new zmq.Pull())
    const push = track(new zmq.Push())
    push.connect(await bindAny(pull, "inproc"))
    const stream = new ZMQStream(pull, loop)
    const N = 300
    for (let i = 0; i < N; i++) await push.send(String(i))
    await waitFor(() => pull.readable, "the messages")
    const seen: number[] = []
    let flushesPending = 0
    // Every 10th message pauses the stream mid-dispatch (what it took from libzmq is kept) and resumes it
    // on the next turn with a callback that calls stream.flush() on its first message, as a request
    // handler that flushes does. (No pause while a flush runs: a flush without a callback drops, as pyzmq's.)
    const pausing = (msg: Buffer[]): void => {
      seen.push(Number(String(msg[0])))
      if (seen.length % 10 === 0 && flushesPending === 0) {
        stream.stopOnRecv()
        loop.addCallback(() => stream.onRecv(flushingOnce))
      }
    }
    const flushingOnce = (msg: Buffer[]): void => {
      seen.push(Number(String(msg[0])))
      stream.onRecv(pausing)
      flushesPending++
      void stream.flush().finally(() => flushesPending--)
    }
    stream.onRecv(pausing)
    await waitFor(() => seen.length >= N && flushesPending === 0, `${N} messages`)
    t.same(
      seen,
      Array.from({ length: N }, (_, i) => i),
      "in order, once each",
    )
    stream.close()
  },
)
