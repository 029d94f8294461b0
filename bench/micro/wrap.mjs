// Micro-benchmark: what wrap() adds to a call. Run `pnpm build && node bench/micro/wrap.mjs`.
// Every IOLoop callback goes through a wrapper, so the no-context case must cost about a plain call.
//
// Same run, same target function, every variant warmed up, then timed in interleaved rounds; the fastest
// round is reported in ns per call (the round least disturbed by other processes). Two phases, because
// AsyncLocalStorage.getStore() is free until the process first enters a context and costs a lookup of the
// current async resource afterwards:
//   1. before any context was entered (an application that never uses stack contexts),
//   2. after (an application that does: the no-context wrapper must now look at the store).
// Prints a small table, then one JSON line.
import { StackContext, wrap } from "../../packages/stack-context/dist/index.js"

const CALLS = 2_000_000
const ROUNDS = 15
const WARM_UP_ROUNDS = 3

function target(n) {
  return n + 1
}

// One loop function per variant, compiled from source that differs by the variant's name: V8 then keeps
// separate code and type feedback for each (a shared loop, or identical source, which V8's compilation
// cache shares, turns the call site polymorphic and distorts every figure).
const makeLoop = (key) =>
  new Function(
    "fn",
    "calls",
    `/* ${key} */ let sum = 0; for (let i = 0; i < calls; i++) sum += fn(i); return sum`,
  )

let checksum = 0
const timeRound = (variant, calls) => {
  const start = process.hrtime.bigint()
  checksum += variant.loop(variant.fn, calls)
  return Number(process.hrtime.bigint() - start) / calls
}

/** Times the variants in interleaved rounds and returns { key: ns per call in the fastest round }. */
function measure(variants) {
  const timed = variants.map((variant) => ({ ...variant, loop: makeLoop(variant.key), samples: [] }))
  for (let round = 0; round < WARM_UP_ROUNDS; round++) for (const v of timed) timeRound(v, CALLS / 10)
  for (let round = 0; round < ROUNDS; round++) for (const v of timed) v.samples.push(timeRound(v, CALLS))
  return Object.fromEntries(timed.map((v) => [v.key, Number(Math.min(...v.samples).toFixed(2))]))
}

// Phase 1: no context has ever been entered in this process.
const idle = measure([
  { key: "plainIdle", fn: target },
  { key: "wrappedNoContextIdle", fn: wrap(target) },
])

// Phase 2: contexts in use (entering one enables the AsyncLocalStorage for good).
const context = new StackContext((run) => run())
const busy = measure([
  { key: "plain", fn: target },
  { key: "wrappedNoContext", fn: wrap(target) },
  { key: "wrappedOneContext", fn: context.run(() => wrap(target)) },
])

const rows = [
  ["plain call", busy.plain],
  ["wrap(), no context, contexts never used", idle.wrappedNoContextIdle],
  ["wrap(), no context, contexts in use", busy.wrappedNoContext],
  ["wrap(), one captured StackContext", busy.wrappedOneContext],
]
console.log(
  `wrap() micro-benchmark, node ${process.version}, ${CALLS} calls x ${ROUNDS} rounds, fastest round`,
)
console.log(`${"variant".padEnd(42)} ${"ns/call".padStart(8)} ${"vs plain".padStart(9)}`)
for (const [name, ns] of rows) {
  console.log(
    `${name.padEnd(42)} ${ns.toFixed(2).padStart(8)} ${`${(ns / busy.plain).toFixed(1)}x`.padStart(9)}`,
  )
}
console.log(
  JSON.stringify({
    bench: "stack-context/wrap",
    node: process.version,
    calls: CALLS,
    rounds: ROUNDS,
    nsPerCall: { ...busy, ...idle },
    checksum,
  }),
)
