// Helpers for examples/run.mjs's demo mode: start example programs as child processes (the way the
// README runs them), relay their output with a name prefix, wait for a line with a deadline, and stop them
// all, each with its own process group, also when the demo fails or the runner is interrupted.
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { ProcessGroups } from "./process-groups.mjs"

const examplesDir = fileURLToPath(new URL("..", import.meta.url))
/** How long a program may take to exit after SIGTERM before its process group is SIGKILLed. */
const STOP_GRACE_MS = 5000
/**
 * How long `waitFor` waits for a line by default: a program's first lines come within a second on a quiet
 * machine, and much later on a CI machine busy with npm installs and a headless Chromium.
 */
const LINE_DEADLINE_MS = 30000

const groups = new ProcessGroups()
const running = new Map() // name -> ChildProcess, for the programs that have not exited

/** Starts `node examples/<script> ...args`; output lines are printed as `[name] line`. */
export function start(name, script, args = []) {
  const child = groups.spawn(process.execPath, [examplesDir + script, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  })
  running.set(name, child)
  const waiters = []
  const lines = [] // every line so far, so waitFor also sees lines printed before it was called
  const exited = new Promise((resolve, reject) => {
    child.once("error", (error) => reject(new Error(`${name} could not start: ${error.message}`)))
    // "close", not "exit": by then every output line has been read (and matched).
    child.once("close", (code, signal) => {
      running.delete(name)
      for (const w of waiters) w.reject(new Error(`${name} exited (${signal ?? code}) before "${w.pattern}"`))
      resolve(code ?? signal)
    })
  })
  for (const [stream, out] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ]) {
    createInterface({ input: stream }).on("line", (line) => {
      out.write(`[${name}] ${line}\n`)
      lines.push(line)
      for (const w of [...waiters]) {
        const match = w.pattern.exec(line)
        if (match) {
          waiters.splice(waiters.indexOf(w), 1)
          w.resolve(match)
        }
      }
    })
  }
  /** Resolves with the match of the first output line matching `pattern`; rejects after `ms`. */
  const waitFor = (pattern, ms = LINE_DEADLINE_MS) =>
    new Promise((resolve, reject) => {
      const seen = lines.map((line) => pattern.exec(line)).find(Boolean)
      if (seen) return resolve(seen)
      const timer = setTimeout(
        () => reject(new Error(`${name}: no line matching ${pattern} in ${ms} ms`)),
        ms,
      )
      const done = (f) => (value) => (clearTimeout(timer), f(value))
      waiters.push({ pattern, resolve: done(resolve), reject: done(reject) })
    })
  return { child, exited, waitFor }
}

/** The names of the programs still running. */
export function stillRunning() {
  return [...running.keys()]
}

/**
 * Stops every program started: SIGTERM to each process group, SIGKILL to what is left after
 * `STOP_GRACE_MS`; resolves once every program has exited.
 */
export function stopAll() {
  return groups.stopAll(STOP_GRACE_MS)
}

// Never leave a program behind: on SIGINT/SIGTERM stop them all, then exit as the signal would have (128 + n);
// on any other exit (a throw, process.exit) SIGKILL whatever is left. The reaper covers a SIGKILLed runner.
for (const [signal, number] of [
  ["SIGINT", 2],
  ["SIGTERM", 15],
]) {
  process.once(signal, () => {
    console.error(`${signal}: stopping ${stillRunning().join(", ") || "nothing"}`)
    stopAll().then(() => process.exit(128 + number))
  })
}
process.once("exit", () => groups.killAll())
