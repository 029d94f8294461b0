// The native data path (native/data_path.c, src/native/) on real zeromq.js sockets: what attach refuses,
// the per-call guards, receiving and sending whole messages, would-block, and errors shaped like
// zeromq.js's. Build the addon first: `node packages/ioloop/native/build.mjs`.
import t from "tap"
import * as zmq from "zeromq"
import { ZMQ_FD, ZMQ_POLLIN, ZMQ_POLLOUT, ZMQ_TYPE } from "../src/constants.js"
import { loadFdWatcher, type FdWatcherConstructor } from "../src/native/fd-watcher.js"
import { META_HEADER, META_MESSAGES, META_STATUS, RECEIVE_META_FULL } from "../src/native/addon.js"
import { attachDataPath, NativeDataPath, OWN_FRAME_BYTES, SLAB_BYTES } from "../src/native/data-path.js"
import { nativeDataPathRefusal } from "../src/native/availability.js"
import {
  addon,
  attachOrFail,
  collectGarbage,
  DEADLINE_MS,
  intOption,
  nextMessage,
  thrownBy,
  whenReady,
} from "./helpers/native-data-path.js"
import { socketPair } from "./helpers/sockets.js"

const strings = (frames: Buffer[]) => frames.map((frame) => frame.toString())

t.test("the native data path is on in this env (Linux x64 or arm64, self-test passed)", async (t) => {
  t.equal(nativeDataPathRefusal(), null)
})

t.test("attach refuses what is not an open zeromq.js socket", async (t) => {
  t.test("a plain object", async (t) => {
    const refusal = attachDataPath({} as zmq.Socket)
    t.match(refusal, {
      reason: "the socket is not from the zeromq package that @zmq-eventloop/ioloop resolves",
    })
    t.equal(addon.attach({}, 0, 0), "it wraps no native object")
  })

  t.test("an object another addon wraps (our own FdWatcher)", async (t) => {
    const Watcher = loadFdWatcher() as FdWatcherConstructor
    const socket = new zmq.Pull()
    const watcher = new Watcher(intOption(socket, ZMQ_FD), true, () => {})
    t.teardown(() => {
      watcher.close()
      socket.close()
    })
    t.match(addon.attach(watcher, 0, 0), /vtable pointer is in no loaded image|not a zeromq\.js zmq::Socket/)
  })

  t.test("an object zeromq.js wraps that is not a socket (a Context)", async (t) => {
    t.equal(addon.attach(new zmq.Context(), 0, 0), "its native object is not a zeromq.js zmq::Socket")
  })

  t.test("a closed socket", async (t) => {
    const socket = new zmq.Dealer()
    const fd = intOption(socket, ZMQ_FD)
    const type = intOption(socket, ZMQ_TYPE)
    socket.close()
    t.match(attachDataPath(socket), { reason: /^zeromq\.js cannot read its options: / })
    t.equal(addon.attach(socket, fd, type), "the socket is closed")
    t.notOk("busy" in attachDataPath(socket), "a closed socket is not busy")
  })

  t.test("a socket in an async bind", async (t) => {
    const socket = new zmq.Router()
    t.teardown(() => socket.close())
    const fd = intOption(socket, ZMQ_FD)
    const type = intOption(socket, ZMQ_TYPE)
    const binding = socket.bind("tcp://127.0.0.1:*")
    t.same(attachDataPath(socket), {
      reason: "the socket is blocked by a bind or unbind operation",
      busy: true,
    })
    t.equal(addon.attach(socket, fd, type), "the socket is blocked by a bind or unbind operation")
    await binding
    t.ok(attachDataPath(socket) instanceof NativeDataPath, "attaches once the bind is done")
  })

  t.test("zeromq.js and libzmq disagreeing about ZMQ_FD or ZMQ_TYPE", async (t) => {
    const socket = new zmq.Pull()
    t.teardown(() => socket.close())
    const fd = intOption(socket, ZMQ_FD)
    const type = intOption(socket, ZMQ_TYPE)
    t.equal(
      addon.attach(socket, fd + 1, type),
      `libzmq through the pointer does not report zeromq.js's ZMQ_TYPE 7 and ZMQ_FD ${fd + 1}`,
    )
    t.equal(
      addon.attach(socket, fd, type + 1),
      `libzmq through the pointer does not report zeromq.js's ZMQ_TYPE 8 and ZMQ_FD ${fd}`,
    )
  })

  t.test("bad arguments are TypeErrors naming the argument", async (t) => {
    t.throws(
      () => addon.attach(5 as unknown as object, 0, 0),
      new TypeError("socket must be an object (got 5)"),
    )
    t.throws(() => addon.attach({}, -1, 0), new TypeError("fd must be a non-negative integer (got -1)"))
    t.throws(() => addon.attach({}, 0, 1.5), new TypeError("type must be a non-negative integer (got 1.5)"))
  })
})

t.test("every call on a closed socket throws zeromq.js's EBADF", async (t) => {
  const socket = new zmq.Pair()
  const path = attachOrFail(socket)
  socket.close()
  for (const [name, call] of [
    ["receive", () => path.receive()],
    ["send", () => path.send("x")],
    ["events", () => path.events()],
  ] as const) {
    t.match(thrownBy(call), { message: "Socket is closed", code: "EBADF", errno: 9 }, name)
  }
})

t.test("every call while zeromq.js binds the socket throws EBUSY, and works again after", async (t) => {
  const socket = new zmq.Dealer()
  t.teardown(() => socket.close())
  const path = attachOrFail(socket)
  const binding = socket.bind("tcp://127.0.0.1:*")
  t.match(
    thrownBy(() => path.events()),
    {
      message: "Socket is blocked by a bind or unbind operation",
      code: "EBUSY",
      errno: 16,
    },
  )
  t.match(
    thrownBy(() => path.send("x")),
    { code: "EBUSY" },
  )
  await binding
  t.equal(path.events(), 0, "no peer: neither readable nor writable")
})

t.test("a socket collected by the GC is reported closed, not used", async (t) => {
  let collected = false
  const registry = new FinalizationRegistry(() => (collected = true))
  const handle = (() => {
    const socket = new zmq.Pair()
    registry.register(socket, "socket")
    return addon.attach(socket, intOption(socket, ZMQ_FD), intOption(socket, ZMQ_TYPE))
  })()
  if (typeof handle === "string") throw new Error(handle)
  const deadline = Date.now() + DEADLINE_MS
  while (!collected && Date.now() < deadline) {
    collectGarbage()
    await new Promise((resolve) => setImmediate(resolve))
  }
  if (!collected)
    return t.fail(`the socket was not collected within ${DEADLINE_MS} ms: the handle keeps it alive`)
  t.match(
    thrownBy(() => addon.events(handle)),
    { code: "EBADF", message: "Socket is closed" },
  )
})

t.test("zeromq.js's own send, receive and close keep working on an attached socket", async (t) => {
  const [pull, push] = await socketPair(t, new zmq.Pull({ receiveTimeout: 2000 }), new zmq.Push())
  const pullPath = attachOrFail(pull)
  const pushPath = attachOrFail(push)
  await push.send(["by", "zeromq.js"])
  t.same(strings(await nextMessage(t, pullPath)), ["by", "zeromq.js"], "zeromq.js send → native receive")
  t.ok(pushPath.send(["by", "native"]))
  t.same(strings(await pull.receive()), ["by", "native"], "native send → zeromq.js receive")
  push.close()
  pull.close()
  t.ok(push.closed && pull.closed)
  t.match(
    thrownBy(() => pushPath.send("x")),
    { code: "EBADF" },
  )
})

t.test("messages arrive whole and in order, whatever the parts' types", async (t) => {
  const [pull, push] = await socketPair(t, new zmq.Pull(), new zmq.Push())
  const pullPath = attachOrFail(pull)
  const pushPath = attachOrFail(push)
  const bytes = Uint8Array.from([1, 2, 3])
  t.ok(pushPath.send(["a string", Buffer.from("a buffer"), bytes, new Uint16Array([0x0201]), bytes.buffer]))
  t.ok(pushPath.send("one part, no array"))
  t.ok(pushPath.send(["", Buffer.alloc(0), "ünïcödé"]))
  const first = await nextMessage(t, pullPath)
  t.same(
    first.map((frame) => [...frame]),
    [[...Buffer.from("a string")], [...Buffer.from("a buffer")], [1, 2, 3], [1, 2], [1, 2, 3]],
  )
  t.ok(
    first.every((frame) => Buffer.isBuffer(frame)),
    "every frame is a Buffer",
  )
  t.same(strings(await nextMessage(t, pullPath)), ["one part, no array"])
  t.same(strings(await nextMessage(t, pullPath)), ["", "", "ünïcödé"], "empty frames and UTF-8")
})

t.test("small frames share one slab; a larger frame is alone in its ArrayBuffer", async (t) => {
  const [pull, push] = await socketPair(t, new zmq.Pull(), new zmq.Push())
  const pullPath = attachOrFail(pull)
  const pushPath = attachOrFail(push)
  const justOwn = Buffer.alloc(OWN_FRAME_BYTES + 1, 7)
  const larger = Buffer.alloc(64 * 1024, 8)
  const largest = Buffer.alloc(1024 * 1024 + 1, 9)
  t.ok(pushPath.send(["small", "frames"]))
  t.ok(pushPath.send(["large", justOwn, larger, largest]))
  t.ok(pushPath.send("after"))
  const small = await nextMessage(t, pullPath)
  t.equal(small[0].buffer, small[1].buffer, "one slab for both frames")
  t.equal(small[0].buffer.byteLength, SLAB_BYTES)
  const mixed = await nextMessage(t, pullPath)
  t.equal(mixed[0].buffer, small[0].buffer, "the small part of a mixed message is in the slab")
  for (const [index, sent] of [justOwn, larger, largest].entries()) {
    const frame = mixed[index + 1]
    t.ok(Buffer.isBuffer(frame))
    t.equal(
      frame.buffer.byteLength,
      sent.length,
      `large part ${index + 1}: an ArrayBuffer of exactly its size`,
    )
    t.equal(frame.byteOffset, 0)
    t.ok(frame.equals(sent))
  }
  t.equal(new Set(mixed.slice(1).map((frame) => frame.buffer)).size, 3, "one ArrayBuffer each")
  const after = await nextMessage(t, pullPath)
  t.equal(after[0].buffer, small[0].buffer, "the next small message goes back to the slab")
  t.equal(after[0].toString(), "after")
})

t.test("a message whose small frames add up to more than a slab fills a slab of its own", async (t) => {
  // The frames that fit share a slab of the usual size, and each other one has a buffer of its own, so a
  // frame kept holds a slab at most (native-data-path-frames.ts has more shapes).
  const [pull, push] = await socketPair(t, new zmq.Pull(), new zmq.Push())
  const pullPath = attachOrFail(pull)
  const pushPath = attachOrFail(push)
  const parts = Array.from({ length: SLAB_BYTES / OWN_FRAME_BYTES + 1 }, (_, i) =>
    Buffer.alloc(OWN_FRAME_BYTES, i),
  )
  t.ok(pushPath.send(parts))
  const received = await nextMessage(t, pullPath)
  const last = received.pop()!
  t.ok(
    received.every((frame) => frame.buffer === received[0].buffer),
    "the parts that fit share a buffer",
  )
  t.equal(received[0].buffer.byteLength, SLAB_BYTES, "a slab's size")
  t.equal(last.buffer.byteLength, last.length, "the part that does not fit is alone in its buffer")
  t.ok([...received, last].every((frame, i) => frame.equals(parts[i])))
})

t.test("a message that does not fit the slab's rest opens the next batch in a new slab", async (t) => {
  const [pull, push] = await socketPair(t, new zmq.Pull(), new zmq.Push())
  const pullPath = attachOrFail(pull)
  const pushPath = attachOrFail(push)
  const quarter = Buffer.alloc(OWN_FRAME_BYTES, 1) // 2 of them + 1 byte: more than half a slab
  for (let i = 0; i < 3; i++) t.ok(pushPath.send([Buffer.from([i]), quarter, quarter]))
  const received: Buffer[][] = []
  await whenReady(
    t,
    pull,
    () => {
      for (let message = pullPath.receive(); message !== undefined; message = pullPath.receive())
        received.push(message)
      return received.length === 3 ? true : undefined
    },
    "three messages",
  )
  t.same(
    received.map((message) => message[0][0]),
    [0, 1, 2],
    "in order",
  )
  t.not(received[0][1].buffer, received[1][1].buffer, "two such messages never share a slab")
  t.ok(received.every((message) => message[1].equals(quarter) && message[2].equals(quarter)))
})

t.test("a message with more parts than the meta array holds still arrives whole", async (t) => {
  const [pull, push] = await socketPair(t, new zmq.Pull(), new zmq.Push())
  const pullPath = attachOrFail(pull)
  const pushPath = attachOrFail(push)
  const parts = Array.from({ length: 5000 }, (_, i) => String(i))
  t.ok(pushPath.send(parts))
  t.ok(pushPath.send("next"))
  t.same(strings(await nextMessage(t, pullPath)), parts)
  t.same(strings(await nextMessage(t, pullPath)), ["next"])

  // Below NativeDataPath: the addon asks for a longer meta array and keeps the message meanwhile.
  const handle = addon.attach(pull, intOption(pull, ZMQ_FD), intOption(pull, ZMQ_TYPE))
  if (typeof handle === "string") throw new Error(handle)
  t.ok(pushPath.send(["a", "b", "c"]))
  const short = new Int32Array(META_HEADER + 2)
  await whenReady(
    t,
    pull,
    () => {
      addon.receiveBatch(handle, short, [], 10, 1000, 1000, 1000)
      return short[META_STATUS] === RECEIVE_META_FULL ? true : undefined
    },
    "a META_FULL status",
  )
  t.equal(short[META_MESSAGES], META_HEADER + 4, "the length it needs")
  const long = new Int32Array(short[META_MESSAGES])
  const buffer = addon.receiveBatch(handle, long, [], 10, 1000, 1000, 1000)
  t.ok(buffer instanceof ArrayBuffer)
  t.same([...long.subarray(META_HEADER)], [3, 1, 1, 1])
})

t.test("receive hands out a batch one message at a time, and buffered says when to call again", async (t) => {
  // inproc: a sent message is in the receiver's pipe when send() returns, so the batches are known.
  const [pull, push] = await socketPair(
    t,
    new zmq.Pull(),
    new zmq.Push({ sendHighWaterMark: 0 }),
    "inproc://buffered",
  )
  const pullPath = attachOrFail(pull)
  const pushPath = attachOrFail(push)
  const total = 600 // more than one batch of 256
  for (let i = 0; i < total; i++) pushPath.send(String(i)) // no high-water mark: never blocks
  t.equal(pullPath.buffered, false, "nothing fetched yet")
  const received = [strings(pullPath.receive()!)[0]]
  t.equal(pullPath.buffered, true, "the rest of the batch waits here, and more in libzmq")
  for (let message = pullPath.receive(); message !== undefined; message = pullPath.receive())
    received.push(message[0].toString())
  t.same(
    received,
    Array.from({ length: total }, (_, i) => String(i)),
  )
  t.equal(pullPath.buffered, false, "drained: nothing waits that ZMQ_EVENTS would not show")
})

t.test("the first receive after EAGAIN takes one message out of libzmq, the next ones a batch", async (t) => {
  // So the first message is handed out (and a reply to it can leave) before a fetch ends at EAGAIN, whose
  // command processing costs system calls. inproc: a sent message is in the pipe when send() returns.
  const [pull, push] = await socketPair(t, new zmq.Pull(), new zmq.Push(), "inproc://first-alone")
  const pullPath = attachOrFail(pull)
  const pushPath = attachOrFail(push)
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 5; i++) pushPath.send(`${round}.${i}`)
    t.same(strings(pullPath.receive()!), [`${round}.0`])
    t.equal(pullPath.events() & ZMQ_POLLIN, ZMQ_POLLIN, `round ${round}: the other four are still in libzmq`)
    const rest = [1, 2, 3, 4].map(() => strings(pullPath.receive()!)[0])
    t.same(
      rest,
      [1, 2, 3, 4].map((i) => `${round}.${i}`),
    )
    t.equal(pullPath.events() & ZMQ_POLLIN, 0, `round ${round}: then fetched together, up to EAGAIN`)
    t.equal(pullPath.receive(), undefined)
  }
})

t.test("REQ: a receive before the request and a send before the reply would block (EFSM)", async (t) => {
  const [rep, req] = await socketPair(t, new zmq.Reply(), new zmq.Request())
  const reqPath = attachOrFail(req)
  const repPath = attachOrFail(rep)
  t.equal(reqPath.receive(), undefined, "nothing to receive before a request")
  t.equal(reqPath.buffered, false)
  t.equal(repPath.send("reply"), false, "REP cannot send before a request")
  t.ok(reqPath.send("request"))
  t.equal(reqPath.send("second request"), false, "REQ cannot send before the reply")
  t.same(strings(await nextMessage(t, repPath)), ["request"])
  t.ok(repPath.send("reply"))
  t.same(strings(await nextMessage(t, reqPath)), ["reply"])
})

t.test("at the high-water mark a message would block whole: nothing of it is sent", async (t) => {
  const push = new zmq.Push({ sendHighWaterMark: 1 })
  const pull = new zmq.Pull({ receiveHighWaterMark: 1 })
  t.teardown(() => {
    push.close()
    pull.close()
  })
  const pushPath = attachOrFail(push)
  t.equal(pushPath.send(["no", "peer"]), false, "a PUSH without a peer would block")
  t.equal(pushPath.events() & ZMQ_POLLOUT, 0)
  await pull.bind("tcp://127.0.0.1:*")
  push.connect(pull.lastEndpoint!)
  const pullPath = attachOrFail(pull)
  // Fill the pipes and the kernel's tcp buffers until a message would block and libzmq says no room.
  const filler = Buffer.alloc(1024, 1)
  let sent = 0
  for (;;) {
    if (pushPath.send(["part one", String(sent), filler])) sent++
    else if (!(pushPath.events() & ZMQ_POLLOUT)) break
  }
  const received: string[][] = []
  await whenReady(
    t,
    pull,
    () => {
      for (let message = pullPath.receive(); message !== undefined; message = pullPath.receive())
        received.push(strings(message.slice(0, 2)).concat(message[2].equals(filler) ? "filler" : "?"))
      return received.length === sent ? true : undefined
    },
    `${sent} messages`,
  )
  t.same(
    received,
    Array.from({ length: sent }, (_, i) => ["part one", String(i), "filler"]),
    "every message whole, none partial",
  )
})

t.test("bad parts are refused before anything is sent", async (t) => {
  const [pull, push] = await socketPair(t, new zmq.Pull(), new zmq.Push())
  const pullPath = attachOrFail(pull)
  const pushPath = attachOrFail(push)
  t.throws(
    () => pushPath.send(["good", 42 as unknown as string]),
    new TypeError("parts[1] must be a Buffer, TypedArray, ArrayBuffer or string (got 42)"),
  )
  t.throws(() => pushPath.send([]), new TypeError("parts must not be empty (got object)"))
  t.throws(
    () => pushPath.send(null as unknown as string),
    new TypeError("parts[0] must be a Buffer, TypedArray, ArrayBuffer or string (got null)"),
  )
  t.throws(
    () => addon.send({} as never, "x"),
    new TypeError("handle must be a handle from attach() (got object)"),
  )
  t.ok(pushPath.send("marker"))
  t.same(strings(await nextMessage(t, pullPath)), ["marker"], "nothing of the refused messages")
})

t.test("libzmq's errors carry zeromq.js's code and errno", async (t) => {
  const pub = new zmq.Publisher()
  const sub = new zmq.Subscriber()
  t.teardown(() => {
    pub.close()
    sub.close()
  })
  t.match(
    thrownBy(() => attachOrFail(pub).receive()),
    {
      message: "Operation not supported",
      code: "ENOTSUP",
      errno: 95,
    },
  )
  t.match(
    thrownBy(() => attachOrFail(sub).send("x")),
    { code: "ENOTSUP", errno: 95 },
  )
})

t.test("events() reads the same ZMQ_EVENTS as zeromq.js", async (t) => {
  const [pull, push] = await socketPair(t, new zmq.Pull(), new zmq.Push())
  const pullPath = attachOrFail(pull)
  const pushPath = attachOrFail(push)
  t.equal(pullPath.events(), 0)
  await whenReady(t, push, () => (pushPath.events() === ZMQ_POLLOUT ? true : undefined), "writable")
  t.equal(push.writable, true)
  t.ok(pushPath.send("x"))
  await whenReady(t, pull, () => (pullPath.events() === ZMQ_POLLIN ? true : undefined), "readable")
  t.equal(pull.readable, true)
})

t.test("receiveBatch checks its arguments", async (t) => {
  const socket = new zmq.Pull()
  t.teardown(() => socket.close())
  const handle = addon.attach(socket, intOption(socket, ZMQ_FD), intOption(socket, ZMQ_TYPE))
  if (typeof handle === "string") throw new Error(handle)
  const meta = new Int32Array(16)
  t.throws(
    () => addon.receiveBatch(handle, new Int32Array(4), [], 1, 1, 1, 1),
    new TypeError("meta must be an Int32Array of at least 5 elements (got object)"),
  )
  t.throws(
    () => addon.receiveBatch(handle, meta, {} as never, 1, 1, 1, 1),
    new TypeError("ownFrames must be an Array (got object)"),
  )
  t.throws(
    () => addon.receiveBatch(handle, meta, [], 0, 1, 1, 1),
    new RangeError("maxMessages must be a positive integer (got 0)"),
  )
  t.throws(
    () => addon.receiveBatch(handle, meta, [], 1, NaN, 1, 1),
    new RangeError("maxBytes must be a positive integer (got NaN)"),
  )
  t.throws(
    () => addon.receiveBatch(handle, meta, [], 1, 1, 2 ** 31, 1),
    new RangeError("slabBytes must be a positive integer (got 2147483648)"),
  )
  t.throws(
    () => addon.receiveBatch(handle, meta, [], 1, 1, 1, -1),
    new RangeError("ownBytes must be a non-negative integer (got -1)"),
  )
  t.throws(
    () => addon.events("handle" as never),
    new TypeError("handle must be a handle from attach() (got string)"),
  )
  t.equal(addon.receiveBatch(handle, meta, [], 1, 1, 1, 1), undefined)
})
