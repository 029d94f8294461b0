// A stream's callbacks are user code of its loop like any other: they go through the loop's one funnel
// (handleCallbackException, the blocking log), its methods work detached, and it closes with its loop.
import * as zmq from "zeromq"
import { DelayedCallback, IOLoop } from "@zmq-eventloop/ioloop"
import t from "tap"
import { ZMQStream } from "../src/index.js"
import { bindAny, deferred, loopTest, RecordingLogger, waitFor } from "./helpers/loop.js"

function busyFor(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until) {
    // hold the loop, as a slow recv callback would
  }
}

async function pushPull(
  loop: IOLoop,
  track: <S extends zmq.Socket>(socket: S) => S,
): Promise<{ pull: ZMQStream<zmq.Pull>; push: ZMQStream<zmq.Push> }> {
  const pull = new ZMQStream(track(new zmq.Pull()), loop)
  const endpoint = await bindAny(pull.socket)
  const push = new ZMQStream(track(new zmq.Push()), loop)
  push.connect(endpoint)
  return { pull, push }
}

loopTest("a slow recv callback is reported by the blocking log", async (t, { loop, logger, track }) => {
  loop.setBlockingLogThreshold(5)
  const { pull, push } = await pushPull(loop, track)
  const done = deferred()
  pull.onRecv(function slowRecv() {
    busyFor(30)
    done.resolve()
  })
  push.send("x")
  await done.wait("the recv callback")
  // Other work may be slow too on a loaded machine: look for the line about slowRecv.
  const aboutSlowRecv = () => logger.at("warn").find((line) => String(line[0]).includes("slowRecv"))
  await waitFor(() => aboutSlowRecv() !== undefined, "the blocking warning about slowRecv")
  t.match(String(aboutSlowRecv()![0]), /^IOLoop blocked for [\d.]+ ms in slowRecv\(\)\nregistered at:\n/)
})

loopTest(
  "stream callback errors, thrown or rejected, go to IOLoop.handleCallbackException",
  async (t, { loop, track }) => {
    const seen: Array<[string, string, string | undefined]> = []
    loop.handleCallbackException = (callback, error, source) =>
      seen.push([callback.name, (error as Error).message, source])
    const { pull, push } = await pushPull(loop, track)
    pull.onRecv(function recvFails() {
      throw new Error("recv")
    })
    push.onSend(async function sendFails() {
      throw new Error("send")
    })
    push.setCloseCallback(function closeFails() {
      throw new Error("close")
    })
    push.send("x")
    await waitFor(() => seen.length >= 2, "the recv and send errors")
    push.close()
    t.same(
      seen.sort((a, b) => a[0].localeCompare(b[0])),
      [
        ["closeFails", "close", "ZMQStream"],
        ["recvFails", "recv", "ZMQStream"],
        ["sendFails", "send", "ZMQStream"],
      ],
      "each with its source, for the default log line",
    )
  },
)

loopTest("stream methods work detached", async (t, { loop, track }) => {
  const { pull, push } = await pushPull(loop, track)
  const { sendString, close } = push
  const got = deferred<string>()
  pull.onRecv(([msg]) => got.resolve(msg!.toString()))
  sendString("detached")
  t.equal(await got.wait("the message"), "detached")
  const closed = deferred()
  push.setCloseCallback(closed.resolve)
  new DelayedCallback(close, 1, loop).start()
  await closed.wait("close() from a DelayedCallback")
  t.ok(push.closed())
})

t.test(
  "streams close with their loop: queued messages are sent or reported, later sends throw",
  async (t) => {
    const logger = new RecordingLogger()
    const loop = new IOLoop({ makeCurrent: false, logger })
    const pull = new zmq.Pull()
    t.teardown(() => pull.close())
    const push = new ZMQStream(new zmq.Push(), loop)
    push.connect(await bindAny(pull, "inproc"))
    const errors: Error[] = []
    push.onErr((error) => errors.push(error))
    let closeCalls = 0
    push.setCloseCallback(() => closeCalls++)
    push.send("queued before close") // the loop never ran: it is still queued
    const lonely = new ZMQStream(new zmq.Push(), loop) // no peer: its message cannot leave
    const lonelyErrors: Error[] = []
    lonely.onErr((error) => lonelyErrors.push(error))
    lonely.send("nowhere to go")
    loop.close()
    t.match(
      lonelyErrors.map((e) => e.message),
      ["close(): 1 queued message could not be sent"],
    )
    t.ok(push.closed(), "the stream is closed")
    t.equal(closeCalls, 1, "its close callback ran")
    t.ok(push.socket.closed, "and its socket")
    t.same(errors.length, 0, "the queued message was handed to libzmq by close()")
    t.equal(String(await pull.receive()), "queued before close")
    t.throws(() => push.send("after"), { message: "Stream is closed" })
    t.throws(() => new ZMQStream(new zmq.Pair(), loop), { message: "IOLoop is closed" })
  },
)
