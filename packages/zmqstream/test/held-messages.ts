// Messages held in user space (the rest of a native batch, the receiver's held list) when a delivery stops
// early: a flush limit, stopOnRecv() or a throw inside a callback mid-batch. The socket's fd no longer
// signals them (libzmq handed them out), so the stream must keep a delivery scheduled: every message
// arrives exactly once, in order. Issue 15 item 1.
import * as zmq from "zeromq"
import { IOLoop } from "@zmq-eventloop/ioloop"
import { POLLIN, ZMQStream } from "../src/index.js"
import { bindAny, deferred, loopTest, RecordingLogger } from "./helpers/loop.js"

const MARKER = "marker"

/** A PULL stream with `count` messages ("0", "1", …) already waiting in its socket, sent over inproc. */
async function pullWithWaiting(
  loop: IOLoop,
  track: <S extends zmq.Socket>(socket: S) => S,
  count: number,
): Promise<{ stream: ZMQStream; push: zmq.Push }> {
  const pull = track(new zmq.Pull())
  const push = track(new zmq.Push())
  push.connect(await bindAny(pull, "inproc"))
  for (let i = 0; i < count; i++) await push.send(String(i)) // inproc: in the pull's pipe once sent
  return { stream: new ZMQStream(pull, loop), push }
}

/**
 * Records messages as strings. `all` resolves once `count` arrived, with nothing else sent meanwhile (the
 * socket has no new message to wake the loop for the held ones); then the test sends a marker, and `marker`
 * resolves when it arrives, after any duplicate would have.
 */
function recorder(count: number): {
  got: string[]
  onMessage: (msg: Buffer[]) => void
  all: ReturnType<typeof deferred<void>>
  marker: ReturnType<typeof deferred<void>>
} {
  const got: string[] = []
  const all = deferred()
  const marker = deferred()
  return {
    got,
    all,
    marker,
    onMessage: (msg) => {
      const text = msg[0]!.toString()
      if (text === MARKER) return marker.resolve()
      got.push(text)
      if (got.length === count) all.resolve()
    },
  }
}

/** Sets a recv callback that hands each message to `onMessage` and calls `stopOnRecv()` at the `count`th. */
async function stopAt(stream: ZMQStream, count: number, onMessage: (msg: Buffer[]) => void): Promise<void> {
  const stopped = deferred()
  let seen = 0
  stream.onRecv((msg) => {
    onMessage(msg)
    if (++seen === count) {
      stream.stopOnRecv()
      stopped.resolve()
    }
  })
  await stopped.wait(`message ${count}, where the stream stops`)
}

const numbers = (count: number): string[] => Array.from({ length: count }, (_, i) => String(i))

loopTest("messages a flush limit leaves behind arrive once the loop starts", async (t, { poller, track }) => {
  // A loop of our own, not started yet: the scenario (flush, then loop.start()).
  const logger = new RecordingLogger()
  const loop = new IOLoop({ poller, makeCurrent: false, logger })
  t.teardown(() => loop.close())
  const { stream, push } = await pullWithWaiting(loop, track, 5)
  const { got, onMessage, all, marker } = recorder(5)
  stream.onRecv(onMessage)
  t.equal(await stream.flush(POLLIN, 2), 2, "flush delivered its limit")
  t.same(got, ["0", "1"])
  const running = loop.start()
  await all.wait("the three held messages")
  await push.send(MARKER)
  await marker.wait("the marker after the held messages")
  t.same(got, numbers(5), "the other three arrive, once each, in order")
  loop.stop()
  await running
  stream.close()
})

loopTest(
  "loop.stop() inside a recv callback ends the delivery there: each run of the loop delivers the next message",
  async (t, { poller, track }) => {
    // pyzmq's stream delivers nothing more once its loop stopped (measured with Debian's pyzmq: a callback
    // that stops the loop gets "0" in the first run, "1" in the second). The rest of a native batch waits in
    // user space, where the socket's fd no longer shows it: the next run must deliver it.
    const loop = new IOLoop({ poller, makeCurrent: false, logger: new RecordingLogger() })
    t.teardown(() => loop.close())
    const { stream } = await pullWithWaiting(loop, track, 5)
    const got: string[] = []
    stream.onRecv((msg) => {
      got.push(msg[0]!.toString())
      loop.stop()
    })
    const perRun: string[][] = []
    for (let run = 0; run < 5; run++) {
      const deadline = loop.callLater(2_000, () => loop.stop()) // a run that delivers nothing ends here
      const before = got.length
      await loop.start()
      loop.removeTimeout(deadline)
      perRun.push(got.slice(before))
    }
    t.same(perRun, [["0"], ["1"], ["2"], ["3"], ["4"]], "one message per run, in order, none lost")
    stream.close()
  },
)

loopTest(
  "stopOnRecv() inside a callback mid-batch keeps the rest for the next onRecv()",
  async (t, { loop, track }) => {
    const { stream, push } = await pullWithWaiting(loop, track, 20)
    const { got, onMessage, all, marker } = recorder(20)
    await stopAt(stream, 3, onMessage)
    // Let the loop run a few iterations with no recv callback: nothing may be delivered or lost meanwhile.
    for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => loop.addCallback(() => resolve()))
    t.same(got, ["0", "1", "2"], "nothing delivered while stopped")
    stream.onRecv(onMessage)
    await all.wait("the held messages")
    await push.send(MARKER)
    await marker.wait("the marker after the held messages")
    t.same(got, numbers(20), "every message once, in order")
    stream.close()
  },
)

loopTest(
  "a callback that throws mid-batch does not strand the rest of the batch",
  async (t, { loop, logger, track }) => {
    const { stream, push } = await pullWithWaiting(loop, track, 20)
    const { got, onMessage, all, marker } = recorder(20)
    stream.onRecv((msg) => {
      onMessage(msg)
      if (got.length === 3) throw new Error("callback failed on purpose")
    })
    await all.wait("the rest of the batch")
    await push.send(MARKER)
    await marker.wait("the marker after the batch")
    t.same(got, numbers(20), "every message once, in order")
    t.equal(logger.at("error").length, 1, "the throw was logged once")
    stream.close()
  },
)

loopTest(
  "stopOnRecv() mid-batch, then a flush with a limit, then onRecv(): each message once, in order",
  async (t, { loop, track }) => {
    const { stream, push } = await pullWithWaiting(loop, track, 12)
    const { got, onMessage, all, marker } = recorder(12)
    await stopAt(stream, 2, onMessage)
    stream.onRecv(onMessage)
    t.equal(await stream.flush(POLLIN, 4), 4)
    await all.wait("the held messages")
    await push.send(MARKER)
    await marker.wait("the marker after the held messages")
    t.same(got, numbers(12), "every message once, in order")
    stream.close()
  },
)

// pyzmq's socket.recv() beside a stream takes the next message. Here the stream may have taken it from
// libzmq already (a native batch, a zeromq.js chunk in flight, the held list): the socket's receive() gets
// it from there first, so the order stays the socket's.
const receiveOn = (stream: ZMQStream): Promise<Buffer[]> => (stream.socket as zmq.Pull).receive()

loopTest(
  "a receive() on the socket inside a recv callback mid-batch gets the next message",
  async (t, { loop, track }) => {
    const { stream, push } = await pullWithWaiting(loop, track, 20)
    const { got, onMessage, all, marker } = recorder(19)
    let direct: Promise<Buffer[]> | undefined
    stream.onRecv((msg) => {
      onMessage(msg)
      if (got.length === 2) direct = receiveOn(stream)
    })
    await all.wait("the other nineteen messages")
    t.same((await direct!).map(String), ["2"], "the socket's receive() got the message after the second")
    await push.send(MARKER)
    await marker.wait("the marker after the batch")
    t.same(got, ["0", "1", ...numbers(20).slice(3)], "the stream delivered the rest once each, in order")
    stream.close()
  },
)

loopTest(
  "after stopOnRecv() mid-batch, receive() on the socket gets the held messages first, in order",
  async (t, { loop, track }) => {
    const { stream } = await pullWithWaiting(loop, track, 20)
    const { got, onMessage } = recorder(20)
    await stopAt(stream, 3, onMessage)
    const socket = stream.socket as zmq.Pull
    t.ok(socket.readable, "the socket reads readable while the stream holds messages")
    const direct: string[] = []
    for (let i = 3; i < 20; i++) direct.push(String((await receiveOn(stream))[0]))
    t.same(direct, numbers(20).slice(3), "the other seventeen, in order")
    t.notOk(socket.readable, "and not once they are all taken")
    await t.rejects(receiveOn(stream), { code: "EAGAIN" }, "then none is left")
    t.same(got, ["0", "1", "2"], "the stream delivered nothing more")
    stream.close()
  },
)
