// Micro-benchmark: how the native data path's receive hands out a frame, by size (OWN_FRAME_BYTES in
// packages/ioloop/src/native/data-path.ts). Per frame size, the CPU time per received frame (process.cpuUsage:
// the one thread that works, as the pair is inproc) of the addon's receiveBatch when it copies every frame into
// its 8 KiB slabs, and when it hands every frame out over libzmq's own memory, Buffer creation included. It
// leaves out what each way costs the garbage collector later (bench/README.md, "Zero-copy thresholds",
// measures that over tcp). Run `pnpm build && node bench/micro/zero-copy-thresholds.mjs`.
//
// One inproc PUSH -> PULL pair with no high-water mark: each round queues N frames (untimed), then drains
// them. The fastest of the rounds is reported. Prints a table, then one JSON line.
import { count, finish, fmt, printTable } from "../lib/micro.mjs"

const SIZES = [64, 1024, 4096, 8192, 16384, 65536, 1 << 20]
const ROUNDS = 3
const META_HEADER = 3
const OWN_FRAME = -1
const DRAINED = 0
const SLAB_BYTES = 8 * 1024

async function load() {
  try {
    const internal = await import("@zmq-eventloop/ioloop/internal")
    const { loadDataPathAddon, nextFrameOffset } = await import(
      new URL("../../packages/ioloop/dist/native/addon.js", import.meta.url).href
    )
    const addon = loadDataPathAddon()
    if (addon instanceof Error) throw addon
    return { internal, addon, nextFrameOffset, zmq: await import("zeromq") }
  } catch (error) {
    return { error }
  }
}

/**
 * Receives every queued frame with receiveBatch, copying frames up to `ownBytes` into the slab and handing
 * larger ones out over libzmq's memory; returns how many.
 */
function drain({ addon, nextFrameOffset }, handle, ownBytes) {
  const meta = new Int32Array(META_HEADER + 2 * 256)
  const ownFrames = []
  let frames = 0
  for (;;) {
    const buffer = addon.receiveBatch(handle, meta, ownFrames, 256, 256 * 1024, SLAB_BYTES, ownBytes)
    if (buffer === undefined) return frames
    let index = META_HEADER
    let offset = meta[2]
    for (let message = 0; message < meta[1]; message++, frames++) {
      index++ // one part each
      const length = meta[index++]
      if (length === OWN_FRAME) continue // in ownFrames, a Buffer already
      Buffer.from(buffer, offset, length)
      offset = nextFrameOffset(offset, length)
    }
    ownFrames.length = 0
    if (meta[0] === DRAINED) return frames
  }
}

async function measure(loaded) {
  const { internal, addon, zmq } = loaded
  const push = new zmq.Push({ sendHighWaterMark: 0 })
  const pull = new zmq.Pull({ receiveHighWaterMark: 0 })
  await push.bind("inproc://zero-copy-thresholds")
  pull.connect("inproc://zero-copy-thresholds")
  const pushPath = internal.attachDataPath(push)
  if ("reason" in pushPath) throw new Error(`native data path refused: ${pushPath.reason}`)
  const handle = addon.attach(pull, pull.getInt32Option(14), pull.getInt32Option(16))
  const results = []
  for (const size of SIZES) {
    const n = Math.max(100, Math.min(count(20_000), Math.floor(count(64 << 20) / size)))
    const payload = Buffer.alloc(size, 1)
    const best = { copy: Infinity, own: Infinity }
    for (let round = 0; round < ROUNDS; round++) {
      for (const [variant, ownBytes] of [
        ["copy", 2 ** 31 - 1],
        ["own", size - 1],
      ]) {
        for (let i = 0; i < n; i++) pushPath.send(payload)
        const start = process.cpuUsage()
        const received = drain(loaded, handle, ownBytes)
        const used = process.cpuUsage(start)
        if (received !== n) throw new Error(`${variant} at ${size} B: ${received} frames instead of ${n}`)
        best[variant] = Math.min(best[variant], ((used.user + used.system) * 1000) / n)
      }
    }
    results.push({
      size,
      n,
      copy_ns: Math.round(best.copy),
      own_ns: Math.round(best.own),
    })
  }
  push.close()
  pull.close()
  return results
}

const loaded = await load()
let results = null
let failure = loaded.error
if (!failure) results = await measure(loaded).catch((error) => (failure = error) && null)
printTable(
  [
    "frame size (CPU ns per received frame, fastest of 3 rounds)",
    "copied into a slab",
    "libzmq's own memory",
  ],
  (results ?? []).map((r) => [`${fmt(r.size)} B`, fmt(r.copy_ns), fmt(r.own_ns)]),
)
finish({ micro: "zero-copy-thresholds", unit: "ns/frame", better: "lower", results }, failure)
