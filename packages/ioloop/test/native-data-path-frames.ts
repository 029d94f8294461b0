// Frames of every size on the native data path, over tcp between real zeromq.js sockets: large frames go
// without copies both ways (sent from the caller's memory, received as libzmq's own), small ones share 8 KiB
// slabs, and what a kept frame holds on to stays bounded. Build the addon first (`pnpm run prebuilds`).
import t, { type Test } from "tap"
import { randomBytes } from "node:crypto"
import { constants, PerformanceObserver, type PerformanceEntry } from "node:perf_hooks"
import * as zmq from "zeromq"
import { NativeDataPath, OWN_FRAME_BYTES, SLAB_BYTES } from "../src/native/data-path.js"
import { attachOrFail, collectGarbage, DEADLINE_MS, nextMessage } from "./helpers/native-data-path.js"
import { socketPair } from "./helpers/sockets.js"

const KiB = 1024
const MiB = 1024 * KiB

/** Sends on the native path, waiting for room at the high-water mark (the fd watcher is not needed: a
 * send that would block is retried after a turn of the event loop). */
async function sendNative(path: NativeDataPath, message: Buffer[]): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS
  while (!path.send(message)) {
    if (Date.now() > deadline) throw new Error("no room to send within the deadline")
    await new Promise((resolve) => setImmediate(resolve))
  }
}

/** The mixes each direction carries: single large frames, and large frames between small and empty ones. */
function messages(): Buffer[][] {
  return [
    [randomBytes(64 * KiB)],
    [randomBytes(MiB)],
    [Buffer.from("id"), Buffer.alloc(0), randomBytes(64 * KiB), Buffer.from("small"), randomBytes(MiB)],
    [
      randomBytes(OWN_FRAME_BYTES),
      randomBytes(OWN_FRAME_BYTES + 1),
      randomBytes(32 * KiB - 1),
      randomBytes(32 * KiB),
    ],
  ]
}

function sameMessage(t: Test, got: Buffer[], sent: Buffer[], what: string) {
  t.equal(got.length, sent.length, `${what}: part count`)
  t.ok(
    got.every((frame, i) => frame.equals(sent[i])),
    `${what}: every part intact`,
  )
}

t.test("64 KiB and 1 MiB frames arrive intact, native to native", async (t) => {
  const [pull, push] = await socketPair(t, new zmq.Pull(), new zmq.Push())
  const pullPath = attachOrFail(pull)
  const pushPath = attachOrFail(push)
  const sent = messages()
  for (const message of sent) await sendNative(pushPath, message)
  for (const [i, message] of sent.entries())
    sameMessage(t, await nextMessage(t, pullPath), message, `message ${i}`)
})

t.test("64 KiB and 1 MiB frames arrive intact, native to zeromq.js", async (t) => {
  const [pull, push] = await socketPair(t, new zmq.Pull(), new zmq.Push())
  const pushPath = attachOrFail(push)
  const sent = messages()
  for (const message of sent) await sendNative(pushPath, message)
  for (const [i, message] of sent.entries()) sameMessage(t, await pull.receive(), message, `message ${i}`)
})

t.test("64 KiB and 1 MiB frames arrive intact, zeromq.js to native", async (t) => {
  const [pull, push] = await socketPair(t, new zmq.Pull(), new zmq.Push())
  const pullPath = attachOrFail(pull)
  const sent = messages()
  for (const message of sent) await push.send(message)
  for (const [i, message] of sent.entries()) {
    const got = await nextMessage(t, pullPath)
    sameMessage(t, got, message, `message ${i}`)
    for (const [j, frame] of got.entries()) {
      if (frame.length > OWN_FRAME_BYTES)
        t.equal(frame.buffer.byteLength, frame.length, `message ${i} part ${j}: an ArrayBuffer of its own`)
      else t.ok(frame.buffer.byteLength <= SLAB_BYTES, `message ${i} part ${j}: in a slab`)
    }
  }
})

/** Sends `count` random 1 MiB frames whose only reference is then the native send's; resolves to copies of
 * them. A function of its own, so that no variable of the caller's still holds the last frame. */
async function sendUnreferenced(path: NativeDataPath, count: number, registry: FinalizationRegistry<number>) {
  const copies: Buffer[] = []
  for (let i = 0; i < count; i++) {
    const frame = randomBytes(MiB)
    copies.push(Buffer.from(frame))
    registry.register(frame, i)
    await sendNative(path, [frame])
  }
  return copies
}

t.test(
  "a frame sent without a copy keeps its memory alive until libzmq is done, then lets it go",
  async (t) => {
    const [pull, push] = await socketPair(t, new zmq.Pull(), new zmq.Push())
    const pushPath = attachOrFail(push)
    const pullPath = attachOrFail(pull)
    const count = 8
    let collected = 0
    const registry = new FinalizationRegistry<number>(() => collected++)
    const expected = await sendUnreferenced(pushPath, count, registry)
    // libzmq's tcp encoder closes a message when it moves on to the next: a small last one lets the 8th go.
    await sendNative(pushPath, [Buffer.from("last")])
    // A collection while libzmq still reads a frame would free memory under it.
    collectGarbage()
    for (const [i, frame] of expected.entries())
      sameMessage(t, await nextMessage(t, pullPath), [frame], `message ${i}`)
    t.same((await nextMessage(t, pullPath)).map(String), ["last"])
    // Released on the JS thread once libzmq frees them: every one is collected in time.
    const deadline = Date.now() + DEADLINE_MS
    while (collected < count && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10))
      collectGarbage()
    }
    t.equal(collected, count, "every sent frame was released and collected")
  },
)

t.test("a kept small frame pins at most 8 KiB; a kept large frame only itself", async (t) => {
  const [pull, push] = await socketPair(t, new zmq.Pull(), new zmq.Push())
  const pullPath = attachOrFail(pull)
  const pushPath = attachOrFail(push)
  const count = 2000
  for (let i = 0; i < count; i++) await sendNative(pushPath, [Buffer.alloc(64, i)])
  await sendNative(pushPath, [Buffer.alloc(64 * KiB, 1)])
  const kept: Buffer[] = []
  for (let i = 0; i < count; i++) {
    const [frame] = await nextMessage(t, pullPath)
    if (i % 100 === 0) kept.push(frame)
  }
  const [large] = await nextMessage(t, pullPath)
  t.ok(
    kept.every((frame) => frame.buffer.byteLength <= 8 * KiB),
    `every kept 64 B frame's ArrayBuffer is at most 8 KiB (largest: ${Math.max(...kept.map((frame) => frame.buffer.byteLength))})`,
  )
  t.ok(
    kept.every((frame, i) => frame.equals(Buffer.alloc(64, i * 100))),
    "and still holds its bytes",
  )
  t.equal(large.buffer.byteLength, 64 * KiB, "the large frame's ArrayBuffer is its own size")
})

t.test("a message whose small frames overflow a slab: a kept frame still pins at most 8 KiB", async (t) => {
  // A broker keeps the first (identity) frame of messages whose other frames are small but add up to more
  // than a slab: [1 B, 128 x 8 KiB], and frames of every size around the slab's.
  const [pull, push] = await socketPair(t, new zmq.Pull(), new zmq.Push())
  const pullPath = attachOrFail(pull)
  const pushPath = attachOrFail(push)
  const sent = [
    [Buffer.from("a"), ...Array.from({ length: 128 }, (_, i) => Buffer.alloc(OWN_FRAME_BYTES, i))],
    [Buffer.from("b"), Buffer.alloc(SLAB_BYTES - 8, 1), Buffer.alloc(16, 2), Buffer.alloc(SLAB_BYTES, 3)],
    Array.from({ length: 3000 }, (_, i) => Buffer.alloc(i % 7, i)),
  ]
  for (const message of sent) await sendNative(pushPath, message)
  for (const [i, message] of sent.entries()) {
    const got = await nextMessage(t, pullPath)
    sameMessage(t, got, message, `message ${i}`)
    const largest = Math.max(...got.map((frame) => frame.buffer.byteLength))
    t.ok(
      largest <= SLAB_BYTES,
      `message ${i}: every frame's ArrayBuffer is at most 8 KiB (largest: ${largest})`,
    )
  }
})

/** A "gc" performance entry: `detail.kind` is one of perf_hooks' NODE_PERFORMANCE_GC_* constants. */
type GcEntry = PerformanceEntry & { detail: { kind: number } }

/** Counts the garbage collections that end while `body` runs, by kind. */
async function collectionsDuring(body: () => Promise<void>): Promise<{ minor: number; major: number }> {
  const kinds: number[] = []
  const note = (entries: PerformanceEntry[]) => {
    for (const entry of entries) kinds.push((entry as GcEntry).detail.kind)
  }
  const observer = new PerformanceObserver((list) => note(list.getEntries()))
  observer.observe({ entryTypes: ["gc"] })
  try {
    await body()
    // Node reports a collection from a callback it queues for after the collection.
    await new Promise((resolve) => setImmediate(resolve))
    note(observer.takeRecords())
  } finally {
    observer.disconnect()
  }
  return {
    minor: kinds.filter((kind) => kind === constants.NODE_PERFORMANCE_GC_MINOR).length,
    major: kinds.filter((kind) => kind === constants.NODE_PERFORMANCE_GC_MAJOR).length,
  }
}

t.test("dropped large frames are reclaimed by minor collections, not by full ones", async (t) => {
  // A received 1 MiB frame is libzmq's memory in an external Buffer, which weighs almost nothing in V8's
  // young generation: without young-ballast.ts filling it every 16 MB of frames, no minor collection would
  // come, and V8 would start a full one for every 64 MB of frames (7 or 8 in this test; twice as many when
  // the frames' bytes are also reported with napi_adjust_external_memory, as zeromq.js does).
  const [pull, push] = await socketPair(t, new zmq.Pull(), new zmq.Push())
  const pullPath = attachOrFail(pull)
  const pushPath = attachOrFail(push)
  const frame = randomBytes(MiB)
  const count = 512
  let intact = 0
  const collections = await collectionsDuring(async () => {
    for (let i = 0; i < count; i++) {
      await sendNative(pushPath, [frame])
      const [got] = await nextMessage(t, pullPath)
      if (got.length === MiB && got[i % MiB] === frame[i % MiB]) intact++
    }
  })
  t.equal(intact, count, "every frame arrived")
  t.ok(collections.minor >= 4, `minor collections ran (${collections.minor})`)
  t.ok(collections.major <= 2, `at most 2 full collections for 512 MB of frames (${collections.major})`)
})
