// Helpers for the loop micro-benchmarks (bench/micro/): each compares our IOLoop
// with Node's own primitive in the same process, prints a markdown table and
// then one JSON line, and exits 2 (after printing the baseline figures) when
// our package cannot be loaded yet.
import { median } from "./median.mjs"

export const QUICK = process.argv.includes("--quick")

/** A count, divided by 10 under --quick. */
export const count = (n) => (QUICK ? n / 10 : n)

/** Median of `reps` results of the async function `measure`. */
export async function medianOf(reps, measure) {
  const results = []
  for (let i = 0; i < reps; i++) results.push(await measure())
  return median(results)
}

/** The IOLoop class, or the error that loading it gave. */
export async function loadIOLoop() {
  try {
    const { IOLoop } = await import("@zmq-eventloop/ioloop")
    if (typeof IOLoop !== "function") throw new Error("@zmq-eventloop/ioloop does not export IOLoop yet")
    return { IOLoop }
  } catch (error) {
    return { error }
  }
}

/**
 * Runs `body(loop, done)` as the first callback of a fresh loop; resolves to the
 * value given to `done` once the loop has stopped and is closed.
 */
export async function onFreshLoop(IOLoop, body) {
  const loop = new IOLoop()
  let result
  loop.addCallback(() =>
    body(loop, (value) => {
      result = value
      loop.stop()
    }),
  )
  await loop.start()
  loop.close()
  return result
}

/** Resolves with the value given to `done` once `body(done)` calls it (Node primitives). */
export function untilDone(body) {
  return new Promise((resolve) => body(resolve))
}

export function printTable(headers, rows) {
  console.log(`| ${headers.join(" | ")} |`)
  console.log(`|${headers.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`)
  for (const row of rows) console.log(`| ${row.join(" | ")} |`)
}

export const fmt = (value, digits = 0) =>
  value === null
    ? "n/a"
    : value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })

export const ratio = (ours, base) => (ours === null || !base ? "n/a" : (ours / base).toFixed(2))

/** Prints the JSON line; with `oursError`, reports it on stderr and sets exit code 2. */
export function finish(fields, oursError) {
  console.log(JSON.stringify({ ...fields, ...(oursError ? { ours_error: oursError.message } : {}) }))
  if (oursError) {
    process.stderr.write(`${oursError.stack ?? oursError}\n`)
    process.exitCode = 2
  }
}
