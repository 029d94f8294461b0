// Micro-benchmark: the interval poller (the loop's poller where the addon does not load: macOS, Windows, the
// BSDs; forced with `poller: "interval"`) against plain zeromq.js, on both data paths. Runs the pingpong
// workload (3,000 timed round trips between two processes; mean and p99 latency) and pairs (20,000 round
// trips over 1 and 100 ROUTER↔DEALER pairs in one process) with ZMQ_BENCH_POLLER=interval (read by
// bench/ours/loop.mjs), alternating with plain, 3 runs each; medians. Run
// `pnpm build && node bench/micro/interval-poller.mjs [--quick]`. Prints a table, then one JSON line.
import { spawnSync } from "node:child_process"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { QUICK, finish, fmt, printTable, ratio } from "../lib/micro.mjs"
import { median } from "../lib/median.mjs"

const bench = dirname(dirname(fileURLToPath(import.meta.url)))
const RUNS = QUICK ? 1 : 3
const CASES = [
  { id: "pingpong mean µs", script: "pingpong.mjs", args: [QUICK ? 300 : 3000, 64], key: "mean_us" },
  { id: "pingpong p99 µs", script: "pingpong.mjs", args: [QUICK ? 300 : 3000, 64], key: "p99_us" },
  {
    id: "pairs 1, round trips/s",
    script: "pairs.mjs",
    args: [QUICK ? 2000 : 20_000, 1],
    key: "round_trips_per_s",
  },
  {
    id: "pairs 100, round trips/s",
    script: "pairs.mjs",
    args: [QUICK ? 2000 : 20_000, 100],
    key: "round_trips_per_s",
  },
]
const SIDES = {
  plain: { impl: "plain", env: {} },
  native: { impl: "ours", env: { ZMQ_BENCH_POLLER: "interval" } },
  "zeromq.js": { impl: "ours", env: { ZMQ_BENCH_POLLER: "interval", ZMQ_EVENTLOOP_NATIVE: "0" } },
}

/** One run of `script` on `side`: its JSON line. */
function run(side, script, args) {
  const { impl, env } = SIDES[side]
  const ran = spawnSync(process.execPath, [join(bench, impl, script), ...args.map(String)], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 120_000,
  })
  if (ran.status !== 0) throw new Error(`${impl}/${script} (${side}) failed: ${ran.stderr}`)
  return JSON.parse(ran.stdout.trim().split("\n").at(-1))
}

// Runs of each case, the sides alternating; pingpong's two rows come from the same runs.
const runsByCase = new Map()
function runsOf({ script, args }) {
  const key = `${script} ${args}`
  if (!runsByCase.has(key)) {
    const runs = Object.fromEntries(Object.keys(SIDES).map((side) => [side, []]))
    for (let i = 0; i < RUNS; i++)
      for (const side of Object.keys(SIDES)) runs[side].push(run(side, script, args))
    runsByCase.set(key, runs)
  }
  return runsByCase.get(key)
}

const results = []
const rows = []
for (const c of CASES) {
  const runs = runsOf(c)
  const value = (side) => median(runs[side].map((line) => line[c.key]))
  const result = { case: c.id, plain: value("plain"), native: value("native"), zeromqjs: value("zeromq.js") }
  results.push(result)
  const digits = c.key.endsWith("_us") ? 1 : 0
  rows.push([
    c.id,
    fmt(result.plain, digits),
    fmt(result.native, digits),
    fmt(result.zeromqjs, digits),
    ratio(result.native, result.plain),
    ratio(result.zeromqjs, result.plain),
  ])
}
printTable(
  ["interval poller", "plain", "ours native", "ours zeromq.js", "native/plain", "zeromq.js/plain"],
  rows,
)
finish({ micro: "interval-poller", runs: RUNS, results })
