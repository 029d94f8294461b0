// Bad input to ZMQStream: TypeErrors that name the argument, thrown where the call is made (nothing queued).
// Ported: pyzmq test_zmqstream.py test_callable_check (pyzmq raises AssertionError; we throw TypeError).
import * as zmq from "zeromq"
import t from "tap"
import { IOLoop } from "@zmq-eventloop/ioloop"
import { ZMQStream } from "../src/index.js"

function withStream(fn: (stream: ZMQStream, socket: zmq.Dealer) => void | Promise<void>) {
  return async () => {
    const loop = new IOLoop({ makeCurrent: false, poller: "interval" })
    const socket = new zmq.Dealer()
    const stream = new ZMQStream(socket, loop)
    try {
      await fn(stream, socket)
    } finally {
      stream.close(0)
      loop.close()
    }
  }
}

t.test(
  "callbacks that are not functions are refused with a TypeError naming the argument",
  withStream((stream) => {
    for (const register of [
      (cb: unknown) => stream.onRecv(cb as never),
      (cb: unknown) => stream.onRecvStream(cb as never),
      (cb: unknown) => stream.onSend(cb as never),
      (cb: unknown) => stream.onSendStream(cb as never),
      (cb: unknown) => stream.onErr(cb as never),
      (cb: unknown) => stream.setCloseCallback(cb as never),
    ]) {
      t.throws(() => register(42), new TypeError("callback must be a function, got 42"))
      t.throws(() => register("f"), { name: "TypeError", message: /^callback must be a function/ })
      t.throws(() => register(zmq), { name: "TypeError", message: /^callback must be a function/ }) // pyzmq: on_recv(zmq)
    }
    t.throws(() => stream.send("x", { callback: 1 as never }), {
      name: "TypeError",
      message: /^options.callback must be a function, got 1/,
    })
    t.notOk(stream.sending(), "nothing queued")
  }),
)

t.test(
  "a part that is not a Buffer, TypedArray, ArrayBuffer, string or received Frame is refused with its index",
  withStream((stream) => {
    t.throws(
      () => stream.sendMultipart(["a", 42 as never]),
      new TypeError("parts[1] must be a Buffer, TypedArray, ArrayBuffer, string or received Frame, got 42"),
    )
    const lookAlike = { buffer: Buffer.from("x"), bytes: Buffer.from("x"), more: false }
    t.throws(() => stream.sendMultipart([lookAlike as never]), { message: /^parts\[0\] must be/ })
    t.throws(() => stream.sendMultipart([null as never]), { message: /^parts\[0\] must be/ })
    t.throws(() => stream.sendMultipart("abc" as never), {
      name: "TypeError",
      message: /^parts must be an array/,
    })
    t.throws(() => stream.sendMultipart([]), {
      name: "TypeError",
      message: /^parts must hold at least one part/,
    })
    t.throws(() => stream.send({} as never), { name: "TypeError", message: /^part must be a Buffer/ })
    // zeromq.js refuses a DataView too ("Invalid argument"); a typed array goes as its bytes.
    t.throws(() => stream.send(new DataView(new ArrayBuffer(8)) as never), {
      name: "TypeError",
      message: /^part must be a Buffer, TypedArray, ArrayBuffer, string or received Frame, got DataView/,
    })
    t.throws(() => stream.send("x", 5 as never), { name: "TypeError", message: /^options must be an object/ })
    t.notOk(stream.sending(), "nothing queued")
    stream.sendMultipart([
      Buffer.from("a"),
      new Uint8Array([1]),
      new Float64Array([0.5]),
      new Uint16Array(new SharedArrayBuffer(4)),
      new ArrayBuffer(2),
      "s",
    ])
    t.ok(stream.sending(), "every accepted kind queues")
  }),
)

t.test(
  "sendString refuses non-strings and unknown encodings; sendJson and sendPyobj refuse what they cannot encode",
  withStream((stream) => {
    t.throws(() => stream.sendString(5 as never), new TypeError("text must be a string, got 5"))
    t.throws(() => stream.sendString("x", { encoding: "klingon" as never }), {
      name: "TypeError",
      message: /^options.encoding must be/,
    })
    t.throws(() => stream.sendJson(10n), TypeError)
    t.throws(() => stream.sendJson(undefined), TypeError)
    t.throws(() => stream.sendPyobj(() => 1), TypeError)
    t.throws(() => stream.sendPyobj(1, { protocol: 9 as never }), RangeError)
    t.notOk(stream.sending(), "nothing queued")
  }),
)

t.test(
  "onRecv options, flush arguments and close's linger are checked",
  withStream(async (stream) => {
    t.throws(() => stream.onRecv(() => {}, { copy: "no" as never }), {
      name: "TypeError",
      message: /^options.copy must be a boolean/,
    })
    t.throws(() => stream.onRecv(() => {}, 3 as never), {
      name: "TypeError",
      message: /^options must be an options object/,
    })
    t.throws(() => stream.flush("x" as never), { name: "TypeError", message: /^flag must be/ })
    t.throws(() => stream.flush(1, -1), { name: "TypeError", message: /^limit must be/ })
    t.throws(() => stream.close(1.5), { name: "TypeError", message: /^linger must be/ })
    t.notOk(stream.closed())
  }),
)

t.test(
  "the socket options and linked methods refuse bad arguments",
  withStream(async (stream) => {
    // @ts-expect-error an unknown option name does not compile; JavaScript gets the TypeError
    t.throws(() => stream.setsockopt("ZMQ_NOPE", 1), {
      name: "TypeError",
      message: /^option must be a zmq option number or name.*ZMQ_NOPE/,
    })
    t.throws(() => stream.getsockopt(9999), { name: "TypeError", message: /^option must be/ })
    t.throws(() => stream.setsockopt("rcvtimeo", 5), { name: "TypeError", message: /belongs to the stream/ })
    t.throws(() => stream.subscribe("x"), { name: "TypeError", message: /Dealer socket has no subscribe/ })
    await t.rejects(stream.bindToRandomPort(5 as never), {
      name: "TypeError",
      message: /^addr must be a string/,
    })
    await t.rejects(stream.bindToRandomPort("tcp://127.0.0.1", 10, 5), RangeError)
    await t.rejects(stream.bindToRandomPort("tcp://127.0.0.1", 1000, 2000, 0), RangeError)
  }),
)

t.test("new ZMQStream refuses what is not a socket, a closed socket and a non-loop", async (t) => {
  const loop = new IOLoop({ makeCurrent: false, poller: "interval" })
  t.throws(() => new ZMQStream({} as never, loop), {
    name: "TypeError",
    message: /^socket must be a zeromq.js socket/,
  })
  t.throws(() => new ZMQStream(42 as never, loop), TypeError)
  const closed = new zmq.Dealer()
  closed.close()
  t.throws(() => new ZMQStream(closed, loop), new Error("socket is closed"))
  const socket = new zmq.Dealer()
  t.throws(() => new ZMQStream(socket, { ioLoop: {} as never }), {
    name: "TypeError",
    message: /^options\.ioLoop must be an IOLoop/,
  })
  t.throws(() => new ZMQStream(socket, "loop" as never), {
    name: "TypeError",
    message: /^ioLoop must be an IOLoop or an options object/,
  })
  socket.close()
  loop.close()
})

t.test(
  "a stream on a socket that cannot send refuses send*, nothing queued",
  withStream(async () => {
    const loop = new IOLoop({ makeCurrent: false, poller: "interval" })
    const stream = new ZMQStream(new zmq.Pull(), loop)
    t.throws(() => stream.send("x"), { name: "TypeError", message: /Pull socket cannot send/ })
    t.notOk(stream.sending())
    stream.close()
    loop.close()
  }),
)

t.test(
  "a stream takes properties of its own, as Jupyter's stream.channel",
  withStream((stream) => {
    stream.channel = "shell"
    t.equal(stream.channel, "shell")
    t.notOk(Object.isFrozen(stream) || Object.isSealed(stream))
  }),
)

t.test("a stream defaults to the current loop", async (t) => {
  const loop = new IOLoop({ makeCurrent: false, poller: "interval" })
  loop.makeCurrent()
  const stream = new ZMQStream(new zmq.Dealer())
  t.equal(stream.ioLoop, loop)
  stream.close()
  IOLoop.clearCurrent()
  loop.close()
})
