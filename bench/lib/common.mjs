// The script contract every workload script follows, in one place (the shared
// baselines' README, "Script contract", describes the same contract):
//
//   <workload>.mjs N SIZE [--peer self|c]      main side, the side under test:
//       binds tcp://127.0.0.1:* only, spawns its peer as a child process,
//       prints exactly one JSON line (with `impl`, `peer`, `max_rss_kb`), exits 0
//   <workload>.mjs --role ROLE ENDPOINT... N SIZE
//       the peer (sender, client or publisher): the same script for --peer self,
//       or $ZMQ_BENCH_C_BUILD/<workload> (the shared C programs) for --peer c
//
// Every process exits by itself: a watchdog ends it after 110 s (the driver
// kills at 120 s). Both implementations, plain and ours, use these helpers.
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import path from "node:path"

const WATCHDOG_MS = 110_000
const LOOPBACK = "tcp://127.0.0.1:*"
const C_BUILD_ENV = "ZMQ_BENCH_C_BUILD"

/**
 * Runs a workload script: dispatches `--role ROLE ARGS...` to `roles[ROLE](...ARGS)`
 * (arguments as strings), anything else to `main({ n, size, peer })`, whose result
 * (the measured fields) is printed as the one JSON line. `peerless` scripts
 * (timers) take `N WINDOW_MS` (`size` is the window) and report `peer: "none"`.
 */
export function runWorkload({ impl, usage, main, roles = {}, peerless = false }) {
  const argv = process.argv.slice(2)
  startWatchdog()
  const run =
    argv[0] === "--role"
      ? runRole(roles, argv[1], argv.slice(2), usage)
      : runMain(impl, main, parseMain(argv, usage, peerless))
  run.catch(fail)
}

async function runRole(roles, role, args, usage) {
  if (!Object.hasOwn(roles, role)) usageError(usage)
  await roles[role](...args)
}

async function runMain(impl, main, options) {
  const fields = await main(options)
  emit(impl, options.peer, fields)
  // The peer has exited and every socket is closed; leave now rather than
  // wait for anything an implementation may still hold open.
  process.exit(0)
}

function parseMain(argv, usage, peerless) {
  const args = []
  let peer = peerless ? "none" : "self"
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--peer" && !peerless) peer = argv[++i]
    else args.push(argv[i])
  }
  const [n, size] = args.map(Number)
  const valid = args.length === 2 && Number.isInteger(n) && n > 0 && Number.isInteger(size) && size >= 0
  if (!valid || !["self", "c", "none"].includes(peer)) usageError(usage)
  return { n, size, peer }
}

function usageError(usage) {
  process.stderr.write(`usage: ${usage}\n`)
  process.exit(1)
}

export function fail(err) {
  process.stderr.write(`${err?.stack ?? err}\n`)
  process.exit(2)
}

let peerProcess = null

function startWatchdog() {
  setTimeout(() => {
    process.stderr.write(`watchdog: giving up after ${WATCHDOG_MS / 1000} s\n`)
    peerProcess?.kill("SIGKILL")
    process.exit(3)
  }, WATCHDOG_MS).unref()
}

/** Binds a zeromq.js socket to an ephemeral loopback port; returns the endpoint. */
export async function bindLoopback(socket) {
  await socket.bind(LOOPBACK)
  return socket.lastEndpoint
}

/**
 * Spawns the peer: this same script with `--role ...roleArgs` (peer "self") or
 * the C program (peer "c"). Resolves to `{ code, out }` once it has exited
 * (`out` is its stdout when `capture` is set; otherwise stdout is dropped).
 */
export function spawnPeer(workload, peer, roleArgs, { capture = false } = {}) {
  const args = ["--role", ...roleArgs.map(String)]
  const [command, argv] =
    peer === "c"
      ? [cPeerProgram(workload), args]
      : [process.execPath, [...process.execArgv, process.argv[1], ...args]]
  const child = spawn(command, argv, { stdio: ["ignore", capture ? "pipe" : "ignore", "inherit"] })
  peerProcess = child
  let out = ""
  child.stdout?.setEncoding("utf8").on("data", (chunk) => (out += chunk))
  return new Promise((resolve, reject) => {
    child.on("error", reject)
    child.on("close", (code, signal) => resolve({ code: code ?? `signal ${signal}`, out }))
  })
}

function cPeerProgram(workload) {
  const dir = process.env[C_BUILD_ENV]
  if (!dir) {
    throw new Error(
      `--peer c needs ${C_BUILD_ENV}: the folder with the C peer programs ` +
        "(build the baselines' c/ folder with make; see bench/README.md)",
    )
  }
  const program = path.join(dir, workload)
  if (!existsSync(program)) throw new Error(`--peer c: ${program} not found (${C_BUILD_ENV}=${dir})`)
  return program
}

/** Throws unless the peer exited with code 0. */
export function expectPeerOk({ code }, role) {
  if (code !== 0) throw new Error(`${role} exited with ${code}`)
}

/**
 * The fields of a client's JSON line, for the main side to report as its own
 * (pingpong and pipeline are measured by the client). The client's peak RSS is
 * kept as `peer_max_rss_kb`; `max_rss_kb` is always the side under test.
 */
export function clientFields(exited) {
  expectPeerOk(exited, "client")
  const line = exited.out.split("\n").findLast((l) => l.startsWith("{"))
  if (!line) throw new Error(`client printed no JSON line: ${JSON.stringify(exited.out)}`)
  const { max_rss_kb, ...fields } = JSON.parse(line)
  return max_rss_kb === undefined ? fields : { ...fields, peer_max_rss_kb: max_rss_kb }
}

/** Prints the one JSON line of a main side, or (impl null) of a client. */
export function emit(impl, peer, fields) {
  const head = impl === null ? {} : { impl, peer }
  const line = { ...head, ...fields, max_rss_kb: process.resourceUsage().maxRSS }
  process.stdout.write(JSON.stringify(line) + "\n")
}

// ---- measuring -------------------------------------------------------------

/** Monotonic time in seconds. */
export function seconds() {
  return performance.now() / 1e3
}

export function expectSize(frame, size) {
  if (frame.length !== size) throw new Error(`bad message size ${frame.length}, expected ${size}`)
}

const round = (value, digits) => Number(value.toFixed(digits))

/** Fields of a throughput line: N messages of SIZE bytes in `elapsed` seconds (MB = 10^6 B). */
export function throughput(workload, n, size, elapsed) {
  const rate = n / elapsed
  return {
    workload,
    n,
    size,
    elapsed_s: round(elapsed, 6),
    msgs_per_s: round(rate, 1),
    mb_per_s: round((rate * size) / 1e6, 3),
  }
}

/** How long the send_queue workload's reader waits before it reads: the sender meanwhile meets a stalled peer. */
export const STALL_MS = 1000

/** The resident set size now, in bytes: the start the send_queue workload's growth is counted from. */
export function rssNow() {
  return process.memoryUsage.rss()
}

/**
 * Fields of a send_queue line: throughput (first send -> last handed to libzmq, the stall included) and how
 * far the peak RSS rose above `startRss` (MiB).
 */
export function sendQueueFields(n, size, elapsed, startRss) {
  const peak = process.resourceUsage().maxRSS * 1024
  const growth = Math.max(0, peak - startRss) / 2 ** 20
  return { ...throughput("send_queue", n, size, elapsed), rss_growth_mb: round(growth, 1) }
}

/** Nearest rank: element ceil(p*n - 1e-9) (1-based) of sorted values, as in the C/Python baselines. */
export function percentileSorted(sorted, p) {
  const k = Math.ceil(p * sorted.length - 1e-9)
  return sorted[Math.min(Math.max(k, 1), sorted.length) - 1]
}

/** Fields of a latency line from round-trip times in µs (sorts `latUs` in place). */
export function latency(workload, n, size, warmup, elapsed, latUs) {
  latUs.sort() // a Float64Array sorts numerically
  const mean = latUs.reduce((sum, v) => sum + v, 0) / latUs.length
  return {
    workload,
    n,
    size,
    warmup,
    elapsed_s: round(elapsed, 6),
    rtt_per_s: round(n / elapsed, 1),
    mean_us: round(mean, 2),
    p50_us: round(percentileSorted(latUs, 0.5), 2),
    p99_us: round(percentileSorted(latUs, 0.99), 2),
    max_us: round(latUs[latUs.length - 1], 2),
  }
}

// ---- timers ----------------------------------------------------------------

/**
 * A seeded generator of numbers in [0, 1): s / 2^32, s from the 32-bit LCG
 * s = s*1664525 + 1013904223 mod 2^32 (the C/Python/Node baselines' generator).
 */
export function seededRandom(seed) {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

/**
 * The timers workload's delays: 1 + floor(seededRandom(seed)() * windowMs) ms,
 * seed 12345 (the same sequence as the C/Python/Node baselines: s / 2^32 and
 * its product with windowMs are exact, so this is floor(s * windowMs / 2^32)).
 */
export function lcgDelays(n, windowMs, seed = 12345) {
  const random = seededRandom(seed)
  const delays = new Array(n)
  for (let i = 0; i < n; i++) delays[i] = 1 + Math.floor(random() * windowMs)
  return delays
}

/** Every odd-indexed timeout is cancelled, so this many fire. */
export function timersExpected(n) {
  return n - Math.floor(n / 2)
}

/**
 * The work done so far, for the timers workloads: the event loop's active time (not waiting in libuv) and
 * the process's CPU time (every thread, the garbage collector's helpers too).
 */
export function workMark() {
  return { loop: performance.eventLoopUtilization(), cpu: process.cpuUsage() }
}

/**
 * Fields of the timers line from the marks (seconds) taken at: start of
 * scheduling t0, end of scheduling t1, end of cancelling t2, last fire tEnd,
 * and the workMark()s work0 (with t0) and workEnd (with tEnd).
 * late_ms = total - schedule - largest remaining delay (<= 0: nothing late).
 * total_ms is mostly the window's waiting; busy_ms is the work itself:
 * schedule + cancel + fire, each timeout's callback included.
 */
export function timersFields(n, windowMs, delays, fired, { t0, t1, t2, tEnd, work0, workEnd }) {
  let maxDelay = 0
  for (let i = 0; i < n; i += 2) maxDelay = Math.max(maxDelay, delays[i])
  const totalMs = (tEnd - t0) * 1e3
  const scheduleMs = (t1 - t0) * 1e3
  return {
    workload: "timers",
    n,
    window_ms: windowMs,
    cancelled: Math.floor(n / 2),
    fired,
    schedule_ms: round(scheduleMs, 3),
    cancel_ms: round((t2 - t1) * 1e3, 3),
    total_ms: round(totalMs, 3),
    max_delay_ms: maxDelay,
    late_ms: round(totalMs - scheduleMs - maxDelay, 3),
    busy_ms: round(performance.eventLoopUtilization(workEnd.loop, work0.loop).active, 3),
    cpu_ms: round((workEnd.cpu.user - work0.cpu.user + workEnd.cpu.system - work0.cpu.system) / 1e3, 3),
  }
}
