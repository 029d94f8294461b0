// `pnpm bench`: zmq-eventloop against plain zeromq.js, the same workloads in the
// same run, interleaved (plain, ours, plain, ours ...), medians and ratios.
//
//   node bench/run.mjs [--runs N] [--quick] [--only ID[,ID...]] [--peer self|c] [--micro] [--no-micro]
//
// Progress goes to stderr, the markdown tables to stdout, every run's JSON line
// and the medians to bench/results/<timestamp>.json. See bench/README.md.
import { mkdirSync, existsSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { C_BUILD_DIR, buildCPrograms } from "./lib/c-build.mjs"
import { QUIET_PCT, foreignCpuMeter, waitQuiet } from "./lib/cpu.mjs"
import { C_LIBZMQ, IMPLS } from "./lib/impls.mjs"
import { describeMachine, machineLine } from "./lib/machine.mjs"
import { headline, markdown, medianRows } from "./lib/report.mjs"
import { runScript } from "./lib/run-script.mjs"
import { MICRO, WORKLOADS } from "./lib/workloads.mjs"

const USAGE = `usage: node bench/run.mjs [options]
  --runs N        runs per implementation and workload, interleaved (default 3)
  --quick         counts / 10 and 1 run (about a minute)
  --only IDS      comma-separated workloads or micro-benchmarks: ${[...WORKLOADS.map((w) => w.id), ...MICRO].join(", ")}
                  (a prefix selects several, e.g. push_pull)
  --peer self|c   peer of the side under test: the same implementation (default) or the C
                  programs (bench/c, built with make; or those in $ZMQ_BENCH_C_BUILD)
  --micro         only the loop micro-benchmarks (bench/micro/)
  --no-micro      skip the loop micro-benchmarks`

const TIMEOUT_MS = 120_000 // every script has its own 110 s watchdog
const MICRO_TIMEOUT_MS = 300_000 // zeromq-versions runs 24 workload processes (and installs releases once)
const here = (path) => fileURLToPath(new URL(path, import.meta.url))

function parseOptions() {
  let parsed
  try {
    parsed = parseArgs({
      options: {
        runs: { type: "string" },
        quick: { type: "boolean", default: false },
        only: { type: "string" },
        peer: { type: "string", default: "self" },
        micro: { type: "boolean", default: false },
        "no-micro": { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    }).values
  } catch (err) {
    usageError(err.message)
  }
  if (parsed.help) {
    console.log(USAGE)
    process.exit(0)
  }
  const runs = parsed.runs === undefined ? (parsed.quick ? 1 : 3) : Number(parsed.runs)
  if (!Number.isInteger(runs) || runs < 1) usageError(`--runs must be a positive integer, got ${parsed.runs}`)
  if (!["self", "c"].includes(parsed.peer)) usageError(`--peer must be self or c, got ${parsed.peer}`)
  // A whole id selects that one (push_pull_64 is not push_pull_64k too); anything else is a prefix.
  const wanted = parsed.only?.split(",").map((want) => want.trim())
  const ids = new Set([...WORKLOADS.map((w) => w.id), ...MICRO])
  const selected = (id) =>
    !wanted || wanted.some((want) => (ids.has(want) ? id === want : id.startsWith(want)))
  const workloads = parsed.micro
    ? []
    : WORKLOADS.filter((w) => selected(w.id)).map((w) => ({ ...w, n: parsed.quick ? w.n / 10 : w.n }))
  const micro = parsed["no-micro"] ? [] : MICRO.filter(selected)
  if (workloads.length + micro.length === 0) usageError(`--only ${parsed.only} selects nothing`)
  return {
    runs,
    quick: parsed.quick,
    peer: parsed.peer,
    workloads,
    micro,
    quietWaitMs: parsed.quick ? 3_000 : 10_000,
  }
}

function usageError(message) {
  console.error(`bench: ${message}\n${USAGE}`)
  process.exit(1)
}

const log = (line) => process.stderr.write(line + "\n")

/** One run of one implementation on one workload, after a short wait for a quiet machine. */
async function measure(options, workload, impl, run, label) {
  await waitQuiet(options.quietWaitMs)
  // The C programs always run against their own C peer.
  const peer = workload.peerless || impl.executable ? [] : ["--peer", options.peer]
  const script = here(`./${impl.dir}/${workload.script}${impl.executable ? "" : ".mjs"}`)
  const foreign = foreignCpuMeter()
  const outcome = await runScript(script, [workload.n, workload.size, ...peer], {
    timeoutMs: TIMEOUT_MS,
    env: impl.env,
    executable: impl.executable,
  })
  const foreignPct = foreign()
  const record = {
    run,
    impl: impl.name,
    workload: workload.id,
    ok: outcome.ok,
    wall_s: Number(outcome.wallS.toFixed(2)),
    foreign_cpu_pct: foreignPct,
    disturbed: foreignPct !== null && foreignPct > QUIET_PCT,
    ...(outcome.ok ? { result: outcome.line } : { error: outcome.error }),
  }
  const status = outcome.ok ? `ok  ${headline(workload, outcome.line)}` : `FAILED: ${outcome.error}`
  const others = record.disturbed ? `  (other processes used ${foreignPct}% of a core)` : ""
  log(
    `${label} ${impl.name.padEnd(16)} ${workload.id.padEnd(13)} ${outcome.wallS.toFixed(1).padStart(5)} s  ${status}${others}`,
  )
  return record
}

/** A micro-benchmark: its own table (stdout) and one JSON line; a missing optional one is skipped. */
async function runMicro(options, name) {
  const script = here(`./micro/${name}.mjs`)
  if (!existsSync(script)) {
    log(`micro ${name}: ${script} does not exist yet, skipped`)
    return null
  }
  const args = options.quick ? ["--quick"] : []
  const outcome = await runScript(script, args, { timeoutMs: MICRO_TIMEOUT_MS, nodeArgs: ["--expose-gc"] })
  log(
    `micro ${name.padEnd(13)} ${outcome.wallS.toFixed(1).padStart(5)} s  ${outcome.ok ? "ok" : `FAILED: ${outcome.error}`}`,
  )
  return {
    name,
    ok: outcome.ok,
    text: outcome.text,
    ...(outcome.ok ? { result: outcome.line } : { error: outcome.error }),
  }
}

/** The implementations that run `workload`: C only where a C program exists and was built. */
function implsFor(workload, cBuilt) {
  return IMPLS.filter((impl) => impl !== C_LIBZMQ || (cBuilt && !workload.peerless && !workload.noC))
}

async function main() {
  const options = parseOptions()
  const machine = await describeMachine()
  log(machineLine(machine))
  const cFailure = options.workloads.length ? buildCPrograms() : "no workload selected"
  if (cFailure !== null && options.workloads.length) log(`C libzmq column: n/a (${cFailure})`)
  if (options.peer === "c" && !process.env.ZMQ_BENCH_C_BUILD) {
    if (cFailure !== null) usageError(`--peer c needs the C programs: ${cFailure}`)
    process.env.ZMQ_BENCH_C_BUILD = C_BUILD_DIR
  }
  const records = []
  const total =
    options.runs * options.workloads.reduce((sum, w) => sum + implsFor(w, cFailure === null).length, 0)
  for (let run = 1; run <= options.runs; run++) {
    for (const workload of options.workloads) {
      for (const impl of implsFor(workload, cFailure === null)) {
        const label = `[${String(records.length + 1).padStart(String(total).length)}/${total}] run ${run}/${options.runs}`
        records.push(await measure(options, workload, impl, run, label))
      }
    }
  }
  const micro = []
  for (const name of options.micro) micro.push(await runMicro(options, name))

  const rows = medianRows(options.workloads, records)
  const report = [`## pnpm bench — ${new Date().toISOString()}`, "", machineLine(machine), ""]
  if (options.workloads.length) report.push(markdown(options.workloads, rows, records, options), "")
  for (const m of micro.filter(Boolean)) {
    report.push(`### micro: ${m.name}${m.ok ? "" : ` — FAILED: ${m.error}`}`, "", ...m.text, "")
  }
  console.log(report.join("\n"))

  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "") // e.g. 20261127T093000Z
  const file = here(`./results/${stamp}.json`)
  mkdirSync(here("./results/"), { recursive: true })
  const { workloads, ...settings } = options
  const saved = {
    date: new Date().toISOString(),
    argv: process.argv.slice(2),
    settings,
    workloads,
    machine,
    medians: rows,
    runs: records,
    micro,
  }
  writeFileSync(file, JSON.stringify(saved, null, 2) + "\n")
  log(`results: ${file}`)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
