// Micro-benchmark: IOLoop timeouts against Node's setTimeout/clearTimeout, in
// the same process.   node --expose-gc bench/micro/timeouts.mjs [--quick]
//   load   100k timeouts at the LCG delays over a 100 ms window (lib/common.mjs,
//          lcgDelays), every second one removed right after scheduling; ms to
//          schedule, to remove, and from the start until the last one fired
//   heap   1M add/remove cycles (1000 per loop turn, so the loop may collect
//          cancelled timeouts between turns); heapUsed after gc() before and
//          after, and at every quarter, to show that it does not grow
import { lcgDelays, timersExpected } from "../lib/common.mjs"
import { median } from "../lib/median.mjs"
import { count, finish, fmt, loadIOLoop, onFreshLoop, printTable, ratio, untilDone } from "../lib/micro.mjs"

const LOAD_N = count(100_000)
const LOAD_WINDOW_MS = 100
const CYCLES = count(1_000_000)
const CYCLES_PER_TURN = 1000
const REPS = 3

const nodeTimers = {
  add: (ms, cb) => setTimeout(cb, ms),
  remove: (handle) => clearTimeout(handle),
  turn: setImmediate,
}
const loopTimers = (loop) => ({
  add: (ms, cb) => loop.callLater(ms, cb),
  remove: (handle) => loop.removeTimeout(handle),
  turn: (cb) => loop.addCallback(cb),
})

function load(timers, done) {
  const delays = lcgDelays(LOAD_N, LOAD_WINDOW_MS)
  let left = timersExpected(LOAD_N)
  const t0 = performance.now()
  const onTimeout = () => {
    if (--left === 0) done({ schedule_ms: t1 - t0, cancel_ms: t2 - t1, total_ms: performance.now() - t0 })
  }
  const handles = new Array(LOAD_N)
  for (let i = 0; i < LOAD_N; i++) handles[i] = timers.add(delays[i], onTimeout)
  const t1 = performance.now()
  for (let i = 1; i < LOAD_N; i += 2) timers.remove(handles[i])
  const t2 = performance.now()
}

const heapKb = () => {
  globalThis.gc?.()
  return Math.round(process.memoryUsage().heapUsed / 1024)
}

function heap(timers, done) {
  const noop = () => {}
  const samples = [heapKb()]
  const turns = CYCLES / CYCLES_PER_TURN
  let turn = 0
  const cycleTurn = () => {
    for (let i = 0; i < CYCLES_PER_TURN; i++) timers.remove(timers.add(60_000, noop))
    if (++turn % (turns / 4) === 0) samples.push(heapKb())
    if (turn < turns) timers.turn(cycleTurn)
    else done(samples)
  }
  timers.turn(cycleTurn)
}

// median of each field over REPS runs of `run` (an async function returning { field: ms })
async function medianFields(run) {
  const runs = []
  for (let i = 0; i < REPS; i++) runs.push(await run())
  return Object.fromEntries(Object.keys(runs[0]).map((key) => [key, round(median(runs.map((r) => r[key])))]))
}

const round = (ms) => Number(ms.toFixed(1))
const viaNode = (shape) => untilDone((done) => shape(nodeTimers, done))
const viaLoop = (IOLoop, shape) => onFreshLoop(IOLoop, (loop, done) => shape(loopTimers(loop), done))

const { IOLoop, error } = await loadIOLoop()
const results = {
  load: {
    setTimeout: await medianFields(() => viaNode(load)),
    callLater: IOLoop ? await medianFields(() => viaLoop(IOLoop, load)) : null,
  },
  heap_kb: {
    setTimeout: await viaNode(heap),
    callLater: IOLoop ? await viaLoop(IOLoop, heap) : null,
  },
}

const { setTimeout: node, callLater: ours } = results.load
printTable(
  [
    `load: ${fmt(LOAD_N)} timeouts, half removed (ms, median of ${REPS})`,
    "setTimeout / clearTimeout",
    "callLater / removeTimeout",
    "ours / node",
  ],
  Object.keys(node).map((key) => [
    key,
    fmt(node[key], 1),
    ours ? fmt(ours[key], 1) : "failed",
    ours ? ratio(ours[key], node[key]) : "n/a",
  ]),
)
console.log("")
const heapRow = (name, samples) =>
  samples ? [name, ...samples.map((kb) => fmt(kb)), fmt(samples.at(-1) - samples[0])] : [name, "failed"]
printTable(
  [
    `heap: ${fmt(CYCLES)} add/remove cycles (heapUsed KiB after gc)`,
    "start",
    "1/4",
    "1/2",
    "3/4",
    "end",
    "growth",
  ],
  [
    heapRow("setTimeout / clearTimeout", results.heap_kb.setTimeout),
    heapRow("callLater / removeTimeout", results.heap_kb.callLater),
  ],
)
finish(
  {
    micro: "timeouts",
    load_n: LOAD_N,
    load_window_ms: LOAD_WINDOW_MS,
    cycles: CYCLES,
    gc: Boolean(globalThis.gc),
    results,
  },
  error,
)
