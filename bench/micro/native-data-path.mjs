// Micro-benchmark: the native data path (packages/ioloop/native/data_path.c) against zeromq.js's own
// calls on the same sockets, in ns per 64 B message. Run `pnpm build && node bench/micro/native-data-path.mjs`.
//
// One inproc PUSH → PULL pair with no high-water mark, so a round can queue all its messages first:
//   receive   N messages queued (untimed), then drained: NativeDataPath.receive() until undefined, against
//             zeromq.js receive() with receiveTimeout 0, called in chunks of 256 without awaiting between
//             calls, the chunk's last promise awaited (the fastest way to use it, DESIGN.md).
//   send      N messages sent, then drained (untimed): NativeDataPath.send(), one call per message,
//             against zeromq.js send() with sendTimeout 0 in chunks of 256.
//   events    ZMQ_EVENTS read: NativeDataPath.events() against zeromq.js's `readable` getter.
// Variants run in interleaved rounds after a warm-up; the fastest round is reported (the one least
// disturbed by other processes). Prints a table, then one JSON line.
import { count, finish, fmt, printTable, ratio } from "../lib/micro.mjs"

const N = count(20_000)
const EVENT_READS = count(20_000)
const ROUNDS = 7
const WARM_UP_ROUNDS = 2
const CHUNK = 256
const PAYLOAD = Buffer.alloc(64, 0x61)

async function load() {
  try {
    const internal = await import("@zmq-eventloop/ioloop/internal")
    if (typeof internal.attachDataPath !== "function")
      throw new Error("no attachDataPath in ioloop/internal yet")
    return { internal, zmq: await import("zeromq") }
  } catch (error) {
    return { error }
  }
}

async function makePair(zmq, attachDataPath) {
  const push = new zmq.Push({ sendHighWaterMark: 0, sendTimeout: 0 })
  const pull = new zmq.Pull({ receiveHighWaterMark: 0, receiveTimeout: 0 })
  await push.bind("inproc://native-data-path-bench")
  pull.connect("inproc://native-data-path-bench")
  const pushPath = attachDataPath(push)
  const pullPath = attachDataPath(pull)
  if ("reason" in pushPath) throw new Error(`native data path refused: ${pushPath.reason}`)
  return { push, pull, pushPath, pullPath }
}

const elapsedNs = (start) => Number(process.hrtime.bigint() - start)

function fill({ pushPath }) {
  for (let i = 0; i < N; i++) pushPath.send(PAYLOAD)
}

function drain({ pullPath }) {
  let received = 0
  while (pullPath.receive() !== undefined) received++
  return received
}

function expect(what, got, wanted) {
  if (got !== wanted) throw new Error(`${what}: ${got} messages instead of ${wanted}`)
}

/** zeromq.js calls `call()` n times in chunks, awaiting each chunk's last promise. */
async function inChunks(n, call) {
  for (let left = n; left > 0;) {
    const size = Math.min(CHUNK, left)
    let last
    for (let i = 0; i < size; i++) last = call()
    await last
    left -= size
  }
}

// Each variant: one timed round, resolving to ns per message.
const VARIANTS = {
  "receive, native": async (pair) => {
    fill(pair)
    const start = process.hrtime.bigint()
    const received = drain(pair)
    const ns = elapsedNs(start)
    expect("native receive", received, N)
    return ns / N
  },
  "receive, zeromq.js": async (pair) => {
    fill(pair)
    const start = process.hrtime.bigint()
    await inChunks(N, () => pair.pull.receive())
    const ns = elapsedNs(start)
    expect("zeromq.js receive (left over)", drain(pair), 0)
    return ns / N
  },
  "send, native": async (pair) => {
    const start = process.hrtime.bigint()
    for (let i = 0; i < N; i++) pair.pushPath.send(PAYLOAD)
    const ns = elapsedNs(start)
    expect("native send", drain(pair), N)
    return ns / N
  },
  "send, zeromq.js": async (pair) => {
    const start = process.hrtime.bigint()
    await inChunks(N, () => pair.push.send(PAYLOAD))
    const ns = elapsedNs(start)
    expect("zeromq.js send", drain(pair), N)
    return ns / N
  },
  "events, native": async (pair) => {
    let sum = 0
    const start = process.hrtime.bigint()
    for (let i = 0; i < EVENT_READS; i++) sum += pair.pullPath.events()
    const ns = elapsedNs(start)
    if (sum !== 0) throw new Error("the idle PULL socket reported events")
    return ns / EVENT_READS
  },
  "events, zeromq.js": async (pair) => {
    let readable = 0
    const start = process.hrtime.bigint()
    for (let i = 0; i < EVENT_READS; i++) if (pair.pull.readable) readable++
    const ns = elapsedNs(start)
    if (readable !== 0) throw new Error("the idle PULL socket reported readable")
    return ns / EVENT_READS
  },
}

async function measure(pair) {
  const samples = Object.fromEntries(Object.keys(VARIANTS).map((name) => [name, []]))
  for (let round = 0; round < WARM_UP_ROUNDS + ROUNDS; round++) {
    for (const [name, run] of Object.entries(VARIANTS)) {
      const ns = await run(pair)
      if (round >= WARM_UP_ROUNDS) samples[name].push(ns)
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, ns]) => [name, Math.min(...ns)]))
}

const { internal, zmq, error } = await load()
let results = null
let failure = error
if (!failure) {
  const pair = await makePair(zmq, internal.attachDataPath).catch((e) => (failure = e))
  if (!failure) {
    results = await measure(pair)
    pair.push.close()
    pair.pull.close()
  }
}

const row = (operation, native, base) => [
  operation,
  results ? fmt(results[native], 0) : "n/a",
  results ? fmt(results[base], 0) : "n/a",
  results ? ratio(results[base], results[native]) : "n/a",
]
printTable(
  [
    `ns per 64 B message (fastest of ${ROUNDS} rounds, N = ${N})`,
    "native",
    "zeromq.js",
    "zeromq.js / native",
  ],
  [
    row("receive (receiveBatch → Buffer views)", "receive, native", "receive, zeromq.js"),
    row("send (one call per message)", "send, native", "send, zeromq.js"),
    row("ZMQ_EVENTS read (ns per read)", "events, native", "events, zeromq.js"),
  ],
)
finish({ micro: "native-data-path", unit: "ns/message", better: "lower", n: N, results }, failure)
