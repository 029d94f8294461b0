// Which data path a stream uses, and the native one's memory contract: a received frame is a view into a
// shared slab (`frame.buffer` shows its neighbours; `Buffer.from(frame)` copies), a large frame has its own.
import { runInNewContext } from "node:vm"
import { MessageChannel } from "node:worker_threads"
import t, { type Test } from "tap"
import * as zmq from "zeromq"
import { SLAB_BYTES } from "@zmq-eventloop/ioloop/internal"
import { SNDMORE, ZMQStream } from "../src/index.js"
import {
  bindAny,
  DATA_PATHS,
  deferred,
  loopTest,
  NATIVE_DATA_PATH_HERE,
  type LoopContext,
} from "./helpers/loop.js"
import { BUILT_PACKAGE, runNodeScript } from "./helpers/node-child.js"

const droppedLargeFrames = new URL("./fixtures/dropped-large-frames.mjs", import.meta.url).href

/** A PULL stream on `loop` and the plain PUSH socket connected to it over inproc. */
async function pullStreamFromPush({ loop, track }: Pick<LoopContext, "loop" | "track">) {
  const pull = new ZMQStream(track(new zmq.Pull()), loop)
  const push = track(new zmq.Push())
  push.connect(await bindAny(pull.socket, "inproc"))
  return { pull, push }
}

/** A PULL stream on `loop` and a PUSH stream connected to it over `transport`. */
async function pushPullStreams(
  { loop, track }: Pick<LoopContext, "loop" | "track">,
  transport: "tcp" | "inproc",
): Promise<{ pull: ZMQStream; push: ZMQStream }> {
  const pull = new ZMQStream(track(new zmq.Pull()), loop)
  const push = new ZMQStream(track(new zmq.Push()), loop)
  push.connect(await bindAny(pull.socket, transport))
  return { pull, push }
}

loopTest("a stream reports the data path it uses", async (t, { loop, dataPath, track }) => {
  const stream = new ZMQStream(track(new zmq.Pull()), loop)
  t.equal(stream.dataPath, NATIVE_DATA_PATH_HERE ? dataPath : "zeromq.js")
  stream.close()
})

loopTest(
  "received frames, small and large, arrive intact on either path",
  async (t, { loop, dataPath, track }) => {
    const { pull, push } = await pullStreamFromPush({ loop, track })
    const got: Buffer[][] = []
    const all = deferred()
    pull.onRecv((msg) => {
      got.push(msg)
      if (got.length === 3) all.resolve()
    })
    const large = Buffer.alloc(SLAB_BYTES * 2, 7)
    await push.send(["a", "bc"])
    await push.send(large)
    await push.send("d")
    await all.wait("three messages")
    t.same(
      got.map((m) => m.map(String)),
      [["a", "bc"], [large.toString()], ["d"]],
    )
    if (dataPath === "native" && NATIVE_DATA_PATH_HERE) {
      const [a, bc] = got[0]!
      t.equal(a!.buffer, bc!.buffer, "small frames share one slab")
      t.ok(a!.buffer.byteLength <= SLAB_BYTES, "a slab is capped")
      t.not(got[1]![0]!.buffer, a!.buffer, "a large frame has a buffer of its own")
      const copy = Buffer.from(a!)
      t.not(copy.buffer, a!.buffer, "Buffer.from(frame) copies")
    }
    pull.close()
  },
)

loopTest(
  "a typed array of 8-byte elements can view every received frame, as a zeromq.js frame",
  async (t, { loop, track }) => {
    // Frames of every length up to 3 words, copied into the slab one after another: each must start on an
    // 8-byte boundary (as in Node's own Buffer pool), or a Float64Array over it throws a RangeError.
    const { pull, push } = await pullStreamFromPush({ loop, track })
    const lengths = Array.from({ length: 25 }, (_, i) => i)
    const frameOf = (length: number): Buffer => {
      const frame = Buffer.alloc(length, length)
      for (let word = 0; word < length >> 3; word++) frame.writeDoubleLE(length + word / 10, word * 8)
      return frame
    }
    const got: Buffer[] = []
    const all = deferred()
    pull.onRecv((msg) => {
      got.push(...msg)
      if (got.length === lengths.length * 2) all.resolve()
    })
    for (const length of lengths) await push.send(frameOf(length)) // one-part messages
    await push.send(lengths.map(frameOf)) // and the same frames as the parts of one message
    await all.wait("every frame")
    const views = got.map((frame) => {
      try {
        return Array.from(new Float64Array(frame.buffer, frame.byteOffset, frame.length >> 3))
      } catch (error) {
        return `${(error as Error).name} at byteOffset ${frame.byteOffset}`
      }
    })
    const expected = [...lengths, ...lengths].map((length) =>
      Array.from({ length: length >> 3 }, (_, word) => length + word / 10),
    )
    t.same(views, expected, "every frame's words read back through a Float64Array")
    t.same(
      got.map((frame) => frame.length),
      [...lengths, ...lengths],
    )
    pull.close()
  },
)

loopTest(
  "a typed array goes as its bytes and reads back through a typed array, small or large",
  async (t, { loop, track }) => {
    // pyzmq's send_array/recv_array, ported: pyzmq sends a numpy array's buffer, zeromq.js any typed array's
    // bytes. A view with an offset sends only its own bytes; a large one (zero-copy on the native path) all.
    const { pull, push } = await pushPullStreams({ loop, track }, "tcp")
    const small = Float64Array.from({ length: 8 }, (_, i) => i / 4).subarray(3, 7)
    const large = Float64Array.from({ length: 100_000 }, (_, i) => i * 1.5)
    const shorts = Uint16Array.from([1, 2, 65535])
    const got: Buffer[][] = []
    const all = deferred()
    pull.onRecv((msg) => {
      got.push(msg)
      if (got.length === 2) all.resolve()
    })
    push.sendMultipart([JSON.stringify({ dtype: "float64", shape: [small.length] }), small])
    push.sendMultipart([large, shorts])
    await all.wait("both messages")
    const doubles = (frame: Buffer): number[] =>
      Array.from(new Float64Array(frame.buffer, frame.byteOffset, frame.length / 8))
    t.same(JSON.parse(String(got[0]![0])), { dtype: "float64", shape: [4] })
    t.same(doubles(got[0]![1]!), Array.from(small), "the subarray's own values, no more")
    t.same(doubles(got[1]![0]!), Array.from(large), "a large typed array, whole")
    t.same(Array.from(new Uint16Array(Uint8Array.from(got[1]![1]!).buffer)), [1, 2, 65535])
    pull.close()
    push.close()
  },
)

loopTest(
  "a resizable ArrayBuffer shrunk right after send() goes out as it was at the call",
  async (t, { loop, track }) => {
    // libzmq sends a large part without a copy; resize() gives the pages back under it (the process died,
    // over inproc and tcp, on both data paths). Such a part is copied at the call.
    const { pull, push } = await pushPullStreams({ loop, track }, "inproc")
    const sizes = [129, 64 * 1024, 1024 * 1024]
    const got: Buffer[][] = []
    const all = deferred()
    pull.onRecv((msg) => {
      got.push(msg)
      if (got.length === sizes.length * 2) all.resolve()
    })
    for (const size of sizes) {
      const memory = new ArrayBuffer(size, { maxByteLength: 2 * size })
      const tracking = new Uint8Array(memory).fill(9) // follows resizes
      push.send(memory)
      push.send(tracking)
      memory.resize(0)
    }
    await all.wait("every message")
    t.same(
      got.map(([frame]) => [frame!.length, frame!.every((byte) => byte === 9)]),
      sizes.flatMap((size) => [
        [size, true],
        [size, true],
      ]),
      "each part whole, as it was at the send",
    )
    pull.close()
    push.close()
  },
)

loopTest(
  "buffers made in another realm (a vm context, where a kernel runs user code) are sent like our own",
  async (t, { loop, track }) => {
    const { pull, push } = await pushPullStreams({ loop, track }, "tcp")
    const foreign = runInNewContext(
      "({ arrayBuffer: new Uint8Array([1, 2, 3]).buffer, bytes: new Uint8Array(40000).fill(7), " +
        "doubles: new Float64Array([0.5]), view: new DataView(new ArrayBuffer(2)) })",
    ) as { arrayBuffer: ArrayBuffer; bytes: Uint8Array; doubles: Float64Array; view: DataView }
    t.notOk(foreign.arrayBuffer instanceof ArrayBuffer, "the ArrayBuffer is another realm's")
    t.throws(() => push.send(foreign.view as never), {
      name: "TypeError",
      message: /^part must be a Buffer, TypedArray, ArrayBuffer, string or received Frame, got DataView/,
    })
    const received = deferred<Buffer[]>()
    pull.onRecv((msg) => received.resolve(msg))
    push.sendMultipart([foreign.arrayBuffer, foreign.bytes, foreign.doubles])
    const [arrayBuffer, bytes, doubles] = await received.wait("the message")
    t.same([...arrayBuffer!], [1, 2, 3])
    t.ok(bytes!.equals(Buffer.alloc(40000, 7)), "a large foreign Uint8Array, whole")
    t.same(doubles!, Buffer.from(new Float64Array([0.5]).buffer))
    pull.close()
    push.close()
  },
)

loopTest(
  "with copy: true the caller may change its buffers as soon as send returns; without it the stream holds them",
  async (t, { loop, track }) => {
    // pyzmq's send(copy=True) copies at the call. The stream's default holds the caller's buffers until libzmq
    // has them (and libzmq holds a part of 32 KiB or more until it has left): a message queued behind onSend
    // shows a change made after the call.
    const pull = track(new zmq.Pull())
    const push = new ZMQStream(track(new zmq.Push()), loop)
    push.connect(await bindAny(pull, "tcp"))
    push.onSend(() => {}) // someone waits to hear of each send: every message is queued, none goes at once
    const sizes = [5, 64 * 1024, 1024 * 1024]
    const buffers = sizes.map((size) => Buffer.alloc(size, 1))
    const doubles = Float64Array.from([1.5, 2.5])
    const memory = new Uint8Array([1, 2, 3]).buffer
    push.send(buffers[0]!, { flags: SNDMORE, copy: true })
    buffers[0]!.fill(9) // held with SNDMORE, already copied
    push.sendMultipart([buffers[1]!, buffers[2]!, doubles, memory], { copy: true })
    push.sendMultipart([buffers[1]!, "text"])
    for (const buffer of buffers) buffer.fill(9)
    doubles.fill(9)
    new Uint8Array(memory).fill(9)
    const [copied, held] = [await pull.receive(), await pull.receive()]
    t.same(
      copied.map((frame) => frame.length),
      [5, 64 * 1024, 1024 * 1024, 16, 3],
    )
    t.ok(
      copied.slice(0, 3).every((frame) => frame.every((byte) => byte === 1)),
      "the buffers' bytes as they were at the calls",
    )
    t.same(Array.from(new Float64Array(Uint8Array.from(copied[3]!).buffer)), [1.5, 2.5], "the typed array's")
    t.same(Array.from(copied[4]!), [1, 2, 3], "the ArrayBuffer's")
    t.ok(
      held[0]!.every((byte) => byte === 9),
      "without copy, the change made after the call goes out",
    )
    t.equal(String(held[1]), "text")
    push.close()
  },
)

loopTest(
  "a received frame's buffer in a postMessage transfer list costs no other message",
  async (t, { loop, dataPath, track }) => {
    // zeromq.js gives each small frame an ArrayBuffer of its own, which a worker can be handed. A slab holds
    // other messages' frames too, handed out or still to come in the batch: like Node's own Buffer pool, it
    // must not be transferable (Node 20 then copies it into the message, later releases throw DataCloneError).
    const { pull, push } = await pullStreamFromPush({ loop, track })
    const sent = Array.from({ length: 10 }, (_, i) => `message ${i}`)
    for (const text of sent) await push.send(text) // all waiting in the pipe: one native batch takes them
    const channel = new MessageChannel()
    t.teardown(() => channel.port1.close())
    const got: string[] = []
    let afterTransfer = ""
    const all = deferred()
    pull.onRecv(([frame]) => {
      got.push(String(frame))
      if (got.length === 3) {
        try {
          const memory = frame!.buffer as ArrayBuffer
          channel.port1.postMessage(memory, [memory])
        } catch (error) {
          t.equal((error as Error).name, "DataCloneError", "a refused transfer says why")
        }
        afterTransfer = String(frame)
      }
      if (got.length === sent.length) all.resolve()
    })
    await all.wait("every message")
    t.same(got, sent, "every message arrives intact, in order")
    if (dataPath === "native" && NATIVE_DATA_PATH_HERE)
      t.equal(afterTransfer, sent[2], "the frame itself is intact")
    pull.close()
  },
)

loopTest(
  "a received 64 KiB frame's buffer goes to another thread whole or not at all, never torn",
  async (t, { loop, track }) => {
    // On either path a 64 KiB frame is libzmq's memory, alone in an external ArrayBuffer, which Node 20
    // copies into the message and later releases refuse with DataCloneError. Either way the other side gets
    // every byte, or nothing, and the frame here stays intact.
    const { pull, push } = await pullStreamFromPush({ loop, track })
    const sent = Buffer.alloc(64 * 1024, 5)
    sent.write("first and last", 0)
    sent.write("the end", sent.length - 7)
    const channel = new MessageChannel()
    t.teardown(() => channel.port1.close())
    const arrived = deferred<ArrayBuffer>()
    channel.port2.once("message", (memory: ArrayBuffer) => arrived.resolve(memory))
    const outcome = deferred<string>()
    pull.onRecv(([frame]) => {
      const memory = frame!.buffer as ArrayBuffer
      t.equal(memory.byteLength, sent.length, "the frame is alone in its ArrayBuffer")
      try {
        channel.port1.postMessage(memory, [memory])
      } catch (error) {
        t.equal((error as Error).name, "DataCloneError", "a refused transfer says why")
        t.ok(frame!.equals(sent), "a refused transfer leaves the frame intact")
        outcome.resolve("refused")
        return
      }
      if (memory.byteLength !== 0) t.ok(frame!.equals(sent), "a copying transfer leaves the frame intact")
      outcome.resolve(memory.byteLength === 0 ? "moved" : "copied")
    })
    await push.send(sent)
    const how = await outcome.wait("the frame")
    if (how !== "refused") {
      const memory = await arrived.wait("the frame on the other port")
      t.ok(Buffer.from(memory).equals(sent), "every byte arrived")
    }
    pull.close()
  },
)

/**
 * Runs `script` in a child Node on the zeromq.js path with `NODE_DEBUG=zmq-eventloop`, checks that it ended
 * well and printed `expected` (what it received, and its stream's data path), and returns the sizes of the
 * receive chunks its stream issued, in order.
 */
function receiveChunksOf(t: Test, script: string, expected: string): number[] {
  const run = runNodeScript(script, { NODE_DEBUG: "zmq-eventloop", ZMQ_EVENTLOOP_NATIVE: "0" })
  t.equal(run.status, 0, run.stderr)
  t.equal(run.stdout.trim(), expected, "every message arrived, on the zeromq.js path")
  return [...run.stderr.matchAll(/receive chunk of (\d+)/g)].map((match) => Number(match[1]))
}

t.test(
  "on the zeromq.js path, a stream that replies from its recv callback still reads growing chunks",
  async (t) => {
    // 2000 messages wait in an inproc pipe; the echo stream's replies go from its recv callbacks. Its chunks
    // of receive() calls must double while the socket stays readable (1, 2, 4 … 256): a reply is a call on
    // the socket, and it once made the loop forget the burst, so every chunk stayed at one message.
    const script = `
    import * as zmq from "zeromq"
    import { IOLoop } from "@zmq-eventloop/ioloop"
    import { ZMQStream } from ${BUILT_PACKAGE}
    const loop = new IOLoop({ makeCurrent: false })
    const echoSide = new zmq.Dealer({ sendHighWaterMark: 0, receiveHighWaterMark: 0, linger: 0 })
    const peer = new zmq.Dealer({ sendHighWaterMark: 0, receiveHighWaterMark: 0, linger: 0 })
    await echoSide.bind("inproc://growing-chunks")
    peer.connect("inproc://growing-chunks")
    for (let i = 0; i < 2000; i++) await peer.send(String(i))
    const echo = new ZMQStream(echoSide, loop)
    let got = 0
    echo.onRecv((msg) => {
      echo.sendMultipart(msg)
      if (++got === 2000) loop.stop()
    })
    await loop.start()
    console.log(got, echo.dataPath)
    echo.close(); loop.close(); peer.close()
  `
    const chunks = receiveChunksOf(t, script, "2000 zeromq.js")
    t.ok(
      Math.max(...chunks) >= 128,
      `chunks grew (${chunks.length} chunks, the largest ${Math.max(...chunks)})`,
    )
  },
)

t.test("a stream's dropped large frames are reclaimed by minor collections, not by full ones", async (t) => {
  // On either path a received 1 MiB frame is external memory (libzmq's, in the addon's Buffer or in
  // zeromq.js's), which weighs almost nothing in V8's young generation: without the young-generation fill
  // (ioloop's young-ballast.ts) no minor collection would come, and V8 would start a full one for every
  // 64 MB of frames (every 32 MB on the zeromq.js path, which reports each frame's bytes once more): 7 or 8
  // full collections here on the native path, 11 to 13 on the zeromq.js path. With it, 0 in most runs and up
  // to 3 in some (a freed frame leaves V8's external count when its finalizer runs, which can lag).
  for (const dataPath of DATA_PATHS) {
    if (dataPath === "native" && !NATIVE_DATA_PATH_HERE) continue
    const run = runNodeScript(`import ${JSON.stringify(droppedLargeFrames)}`, {
      ZMQSTREAM_URL: JSON.parse(BUILT_PACKAGE),
      ZMQ_EVENTLOOP_NATIVE: dataPath === "native" ? "" : "0",
      NODE_OPTIONS: "", // a plain receiver: no test runner's module hooks allocating beside it
    })
    t.equal(run.status, 0, run.stderr)
    const result = JSON.parse(run.stdout) as {
      intact: number
      dataPath: string
      minor: number
      major: number
    }
    t.equal(result.dataPath, dataPath, `on the ${dataPath} path`)
    t.equal(result.intact, 512, "every frame arrived intact")
    t.ok(result.minor >= 4, `minor collections ran (${result.minor})`)
    t.ok(result.major <= 5, `at most 5 full collections for 512 MB of frames (${result.major})`)
  }
})

t.test("on the zeromq.js path, a chunk of large messages holds about 1 MiB, not 256 messages", async (t) => {
  // The zeromq.js path takes a whole chunk of messages out of libzmq before it hands out the first, so a
  // chunk of 256 messages of 256 KiB held 64 MiB at once. Chunks still grow while the burst lasts, to as many
  // messages of the last chunk's mean size as fit in 1 MiB: 4 here.
  const script = `
    import * as zmq from "zeromq"
    import { IOLoop } from "@zmq-eventloop/ioloop"
    import { ZMQStream } from ${BUILT_PACKAGE}
    const loop = new IOLoop({ makeCurrent: false })
    const pull = new zmq.Pull({ receiveHighWaterMark: 0, linger: 0 })
    const push = new zmq.Push({ sendHighWaterMark: 0, linger: 0 })
    await pull.bind("inproc://large-chunks")
    push.connect("inproc://large-chunks")
    const frame = Buffer.alloc(256 * 1024, 1)
    for (let i = 0; i < 200; i++) await push.send(frame)
    for (let i = 0; i < 1000; i++) await push.send("small")
    const stream = new ZMQStream(pull, loop)
    let got = 0
    stream.onRecv(() => {
      if (++got === 1200) loop.stop()
    })
    await loop.start()
    console.log(got, stream.dataPath)
    stream.close(); loop.close(); push.close()
  `
  const chunks = receiveChunksOf(t, script, "1200 zeromq.js")
  const largeChunks = chunks.slice(
    0,
    chunks.findIndex((size) => size > 4),
  )
  t.ok(
    largeChunks.length >= 50,
    `the 256 KiB messages came in chunks of at most 4 (${largeChunks.join(" ")})`,
  )
  t.ok(largeChunks.includes(4), "which grew to 4")
  t.ok(
    Math.max(...chunks) >= 128,
    `and chunks of the small ones after them grew again (${Math.max(...chunks)})`,
  )
})
