// Micro-benchmark: IOLoop.addCallback throughput (callbacks/s) against
// setImmediate and queueMicrotask, in the same process.
//   node bench/micro/add-callback.mjs [--quick]
// Two shapes, median of 3 each:
//   chain  each callback queues the next one: the cost of one loop turn per callback
//   batch  N callbacks queued at once, then run: the cost of the queue itself
/* global queueMicrotask -- a Node global the shared ESLint config does not list */
import {
  count,
  finish,
  fmt,
  loadIOLoop,
  medianOf,
  onFreshLoop,
  printTable,
  ratio,
  untilDone,
} from "../lib/micro.mjs"

const CHAIN_N = count(200_000)
const BATCH_N = count(1_000_000)
const REPS = 3

// chain(schedule, n, done): schedule(next) n times in a row, one from inside the other
function chain(schedule, n, done) {
  const t0 = performance.now()
  let left = n
  const next = () => {
    if (--left === 0) done(performance.now() - t0)
    else schedule(next)
  }
  schedule(next)
}

// batch(schedule, n, done): schedule n callbacks at once; done when the last has run
function batch(schedule, n, done) {
  const t0 = performance.now()
  let left = n
  const one = () => {
    if (--left === 0) done(performance.now() - t0)
  }
  for (let i = 0; i < n; i++) schedule(one)
}

const SHAPES = { chain: [chain, CHAIN_N], batch: [batch, BATCH_N] }
const perSecond = (n, ms) => Math.round(n / (ms / 1e3))

async function measureShape([shape, n], IOLoop) {
  const rate = async (run) => perSecond(n, await medianOf(REPS, run))
  return {
    setImmediate: await rate(() => untilDone((done) => shape(setImmediate, n, done))),
    queueMicrotask: await rate(() => untilDone((done) => shape(queueMicrotask, n, done))),
    addCallback: IOLoop
      ? await rate(() => onFreshLoop(IOLoop, (loop, done) => shape((cb) => loop.addCallback(cb), n, done)))
      : null,
  }
}

const { IOLoop, error } = await loadIOLoop()
const results = {}
for (const [name, shape] of Object.entries(SHAPES)) results[name] = await measureShape(shape, IOLoop)

printTable(
  [
    "shape (callbacks/s, median of 3)",
    "N",
    "setImmediate",
    "queueMicrotask",
    "IOLoop.addCallback",
    "addCallback / setImmediate",
  ],
  Object.entries(results).map(([name, r]) => [
    name,
    fmt(SHAPES[name][1]),
    fmt(r.setImmediate),
    fmt(r.queueMicrotask),
    r.addCallback === null ? "failed" : fmt(r.addCallback),
    ratio(r.addCallback, r.setImmediate),
  ]),
)
finish(
  {
    micro: "add-callback",
    unit: "callbacks/s",
    better: "higher",
    chain_n: CHAIN_N,
    batch_n: BATCH_N,
    results,
  },
  error,
)
