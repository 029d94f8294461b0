// ZMQStream.close()/closed(): modern pyzmq semantics (close(linger) closes at once, closed() notices a socket
// closed elsewhere; pyzmq test_zmqstream.py's closing tests), plus reporting messages that could not be sent.
import * as zmq from "zeromq"
import { IOLoop } from "@zmq-eventloop/ioloop"
import t from "tap"
import { ZMQStream } from "../src/index.js"
import { bindAny, deferred, loopTest, waitFor } from "./helpers/loop.js"

loopTest("close() closes the socket now and runs the close callback once", async (t, { loop, track }) => {
  const socket = track(new zmq.Dealer())
  const stream = new ZMQStream(socket, loop)
  let calls = 0
  stream.setCloseCallback(() => {
    t.ok(stream.closed(), "closed() is already true inside the close callback")
    calls++
  })
  stream.close(0)
  t.ok(socket.closed)
  t.ok(stream.closed())
  stream.close()
  t.equal(calls, 1)
})

loopTest("close(linger) hands queued messages to libzmq before closing", async (t, { loop, track }) => {
  const pull = track(new zmq.Pull())
  const push = track(new zmq.Push())
  push.connect(await bindAny(pull))
  await waitFor(() => push.writable, "the connection")
  const stream = new ZMQStream(push, loop)
  const errors: Error[] = []
  stream.onErr((e) => errors.push(e))
  for (let i = 0; i < 5; i++) stream.send(String(i))
  stream.close(2000)
  const got: string[] = []
  while (got.length < 5) got.push(String((await pull.receive())[0]))
  t.same(got, ["0", "1", "2", "3", "4"])
  t.same(errors, [])
})

loopTest(
  "close(null), pyzmq's close(linger=None), keeps the socket's own linger",
  async (t, { loop, track }) => {
    const push = track(new zmq.Push({ linger: 1234 }))
    const stream = new ZMQStream(push, loop)
    t.throws(() => stream.close(1.5 as number), { name: "TypeError", message: /or null, got 1\.5/ })
    stream.close(null)
    t.ok(stream.closed(), "closed")
    t.ok(push.closed, "and its socket")
  },
)

loopTest(
  "messages close() cannot send are reported with their count to onErr and as a warning",
  async (t, { loop, logger, track }) => {
    const push = track(new zmq.Push()) // no peer: never writable
    const stream = new ZMQStream(push, loop)
    const errors: Error[] = []
    stream.onErr((e) => errors.push(e))
    for (let i = 0; i < 3; i++) stream.send(String(i))
    stream.close(0)
    t.equal(errors.length, 1)
    t.equal(errors[0]!.message, "close(): 3 queued messages could not be sent")
    t.match(String(logger.at("warn")[0]![0]), /3 queued messages could not be sent/)
  },
)

loopTest(
  "closed() notices a socket closed behind the stream's back and runs the close callback once",
  async (t, { loop, track }) => {
    const socket = track(new zmq.Dealer())
    const stream = new ZMQStream(socket, loop)
    let calls = 0
    stream.setCloseCallback(() => calls++)
    socket.close()
    t.ok(stream.closed())
    t.ok(stream.closed())
    t.equal(calls, 1)
    t.throws(() => stream.send("x"), { message: "Stream is closed" })
  },
)

loopTest(
  "an error thrown by the close callback is logged and close() returns, the stream closed",
  async (t, { loop, logger, track }) => {
    const stream = new ZMQStream(track(new zmq.Pull()), loop)
    stream.setCloseCallback(() => {
      throw new Error("boom in the close callback")
    })
    t.doesNotThrow(() => stream.close(), "pyzmq raises it again out of close(); we log it")
    t.ok(stream.closed())
    const logged = logger.at("error").map((line) => line.map(String).join(" "))
    t.match(logged.join("\n"), /Uncaught exception in ZMQStream callback[\s\S]*boom in the close callback/)
  },
)

// Ported: test_zmqstream.py test_shadow_socket_close (messages waiting, one read directly, on_recv set, then
// the socket closed directly while the loop has events for it: pyzmq warns and the stream ends quietly)
loopTest(
  "a socket closed directly with messages waiting after onRecv: nothing delivered, a warning, one close",
  async (t, { loop, logger, track }) => {
    const push = track(new zmq.Push({ linger: 0 }))
    const pull = track(new zmq.Pull({ linger: 0 }))
    pull.connect(await bindAny(push))
    for (let i = 0; i < 10; i++) await push.send(String(i))
    t.same((await pull.receive()).map(String), ["0"], "at least one message was delivered")
    const stream = new ZMQStream(pull, loop)
    const got: string[] = []
    let closes = 0
    stream.setCloseCallback(() => closes++)
    stream.onRecv((msg) => got.push(String(msg[0])))
    pull.close()
    // let the loop run over the events it had for the socket
    await new Promise<void>((resolve) => loop.addCallback(() => loop.addCallback(resolve)))
    t.ok(stream.closed())
    stream.close()
    t.same(got, [], "nothing delivered from the closed socket")
    t.equal(closes, 1, "the close callback ran once")
    const warnings = logger.at("warn").map((line) => String(line[0]))
    t.equal(warnings.length, 1, "one warning")
    t.match(warnings[0], /Pull socket was closed directly; the stream on the closed socket is closed now/)
    t.same(logger.at("error"), [], "no error")
  },
)

loopTest(
  "a socket closed directly while its bind() is pending: the stream closes at once, with the warning",
  async (t, { loop, logger, track }) => {
    // zeromq.js defers the close of a socket a bind holds (socket.closed stays false until the bind
    // settles): the stream took it for its own close(), closed the socket again and did not warn.
    const socket = track(new zmq.Push({ linger: 0 }))
    const binding = socket.bind("tcp://127.0.0.1:*")
    const stream = new ZMQStream(socket, loop)
    let closes = 0
    let unsent = 0
    stream.setCloseCallback(() => closes++)
    stream.onErr(() => unsent++)
    stream.send("queued")
    socket.close()
    t.ok(stream.closed(), "the stream closed with its socket's close()")
    t.equal(closes, 1, "the close callback ran once")
    t.equal(unsent, 1, "the queued message was reported unsent")
    const warnings = logger.at("warn").map((line) => String(line[0]))
    t.equal(
      warnings.filter((line) =>
        /Push socket was closed directly; the stream on the closed socket is closed now/.test(line),
      ).length,
      1,
      "the warning, once",
    )
    await binding.catch(() => {}) // zeromq.js may reject the bind of a socket closed meanwhile
    t.same(logger.at("error"), [], "no error")
  },
)

loopTest(
  "streams of two loops on one socket: a direct close closes both at once; one's close leaves the other told",
  async (t, { loop, poller, track }) => {
    // One life listener per socket: the second stream's replaced the first's, and either's close removed
    // the other's, so a stream heard of its socket's close only at its loop's next ERROR report.
    const other = new IOLoop({ poller, makeCurrent: false })
    t.teardown(() => other.close())
    const socket = track(new zmq.Pull())
    const streams = [new ZMQStream(socket, loop), new ZMQStream(socket, other)]
    const closes = [0, 0]
    streams.forEach((stream, i) => stream.setCloseCallback(() => closes[i]!++))
    socket.close()
    t.same(closes, [1, 1], "both close callbacks ran inside the socket's close()")

    const shared = track(new zmq.Pull())
    const [first, second] = [new ZMQStream(shared, loop), new ZMQStream(shared, other)]
    let secondCloses = 0
    second.setCloseCallback(() => secondCloses++)
    first.onRecv(() => {})
    first.close(0) // closes the shared socket with it: the second stream is told at once
    t.equal(secondCloses, 1, "the second stream closed with the socket its neighbour closed")
  },
)

loopTest(
  "the loop's ERROR report for a socket closed elsewhere closes the stream",
  async (t, { loop, track }) => {
    const socket = track(new zmq.Pull())
    const stream = new ZMQStream(socket, loop)
    const closed = deferred()
    stream.setCloseCallback(() => closed.resolve())
    stream.onRecv(() => {})
    socket.close()
    await closed.wait("the close callback")
    t.ok(stream.closed())
  },
)

t.test(
  "after close every call but close, setCloseCallback and the queries throws Error('Stream is closed')",
  async (t) => {
    const { IOLoop } = await import("@zmq-eventloop/ioloop")
    const loop = new IOLoop({ makeCurrent: false, poller: "interval" })
    const stream: ZMQStream = new ZMQStream(new zmq.Dealer(), loop) // any class: subscribe() too must compile
    stream.close()
    const calls: Array<[string, () => unknown]> = [
      ["onRecv", () => stream.onRecv(() => {})],
      ["onRecvStream", () => stream.onRecvStream(() => {})],
      ["onSend", () => stream.onSend(() => {})],
      ["onSendStream", () => stream.onSendStream(() => {})],
      ["onErr", () => stream.onErr(() => {})],
      ["stopOnRecv", () => stream.stopOnRecv()],
      ["stopOnSend", () => stream.stopOnSend()],
      ["stopOnErr", () => stream.stopOnErr()],
      ["send", () => stream.send("x")],
      ["sendMultipart", () => stream.sendMultipart(["x"])],
      ["sendString", () => stream.sendString("x")],
      ["sendUnicode", () => stream.sendUnicode("x")],
      ["sendJson", () => stream.sendJson(1)],
      ["sendPyobj", () => stream.sendPyobj(1)],
      ["flush", () => stream.flush()],
      ["bind", () => stream.bind("tcp://127.0.0.1:*")],
      ["bindToRandomPort", () => stream.bindToRandomPort("tcp://127.0.0.1")],
      ["connect", () => stream.connect("tcp://127.0.0.1:1")],
      ["unbind", () => stream.unbind("tcp://127.0.0.1:1")],
      ["disconnect", () => stream.disconnect("tcp://127.0.0.1:1")],
      ["setsockopt", () => stream.setsockopt("linger", 0)],
      ["getsockopt", () => stream.getsockopt("linger")],
      ["subscribe", () => stream.subscribe("x")],
      ["unsubscribe", () => stream.unsubscribe("x")],
    ]
    for (const [name, call] of calls) t.throws(call, { message: "Stream is closed" }, name)
    t.doesNotThrow(() => stream.close())
    t.doesNotThrow(() => stream.setCloseCallback(null))
    t.ok(stream.closed())
    t.equal(stream.receiving(), false)
    t.equal(stream.sending(), false)
    t.equal(stream.queuedMessages(), 0)
    t.equal(stream.queuedBytes(), 0)
    t.equal(stream.sendQueueLimit.maxMessages, Infinity)
    t.equal(typeof stream.dataPath, "string")
    loop.close()
  },
)
