// Starts example programs the way examples/README.md does (`node examples/...` from the repository root),
// collects their output lines, waits for a line or the exit with a deadline that says what was awaited,
// and at the end of the test stops each one with its whole process group and checks that nothing it
// started is left running.
//
// Test scaffolding, not code under test: its failure paths (deadlines, kills) run only when a test fails,
// so it is left out of the coverage figures.
/* c8 ignore start */
import type { ChildProcess } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { ProcessGroups } from "../../lib/process-groups.mjs"

export const root = fileURLToPath(new URL("../../..", import.meta.url))

/**
 * The environment of the examples: tap's own, minus its coverage collection and the process-info loader it
 * adds to NODE_OPTIONS (about 150 ms of CPU per process started). The examples are programs a user runs,
 * not library code: the coverage thresholds apply to the packages' tests.
 */
export const exampleEnv = {
  ...process.env,
  _TAPJS_PROCESSINFO_COVERAGE_: "0",
  NODE_OPTIONS: (process.env.NODE_OPTIONS ?? "")
    .split(" ")
    .filter((option) => !option.includes("@tapjs/processinfo"))
    .join(" "),
}

/** Set, with a value unique to each start(), in the environment of each example and what it starts. */
const MARKER = "ZMQ_EVENTLOOP_EXAMPLE_TEST"
/** How long an example may take to exit after SIGTERM at the end of a test, before SIGKILL. */
const STOP_GRACE_MS = 10_000

const groups = new ProcessGroups()
let startCount = 0

export interface Example {
  child: ChildProcess
  /** Every stdout and stderr line so far. */
  lines: string[]
  /** Resolves with the match of the first line (past or future) matching `pattern`; rejects after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpExecArray>
  /** Resolves with the exit code (or signal name) once the process has exited and its output is read. */
  exited: Promise<number | string>
  /** Resolves with the exit code, or rejects if the process is still running after `ms`. */
  exit(ms?: number): Promise<number | string>
  /** The processes this example started (itself included) that are still running: "pid command". */
  leftBehind(): string[]
}

interface Teardown {
  teardown(fn: () => unknown): void
}

function deadline<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(what())), ms)
  })
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer))
}

/**
 * Runs `node <args>` in the repository root, as the leader of its own process group. At teardown the
 * group gets SIGTERM, then SIGKILL if still there after STOP_GRACE_MS, and any process that carries this
 * start's marker afterwards (a grandchild in a group of its own) is killed and fails the test.
 */
export function start(t: Teardown, args: string[], env: NodeJS.ProcessEnv = exampleEnv): Example {
  return startProgram(t, process.execPath, args, env)
}

/** Runs `command <args>` in the repository root (a peer in another language); as `start`. */
export function startProgram(
  t: Teardown,
  program: string,
  args: string[],
  env: NodeJS.ProcessEnv = exampleEnv,
): Example {
  const marker = `${process.pid}-${++startCount}`
  const child = groups.spawn(program, args, {
    cwd: root,
    env: { ...env, [MARKER]: marker },
    stdio: ["ignore", "pipe", "pipe"],
  })
  const command = [program === process.execPath ? "node" : program, ...args].join(" ")
  const lines: string[] = []
  const listeners = new Set<(line: string) => void>()
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on("line", (line) => {
      lines.push(line)
      for (const listener of listeners) listener(line)
    })
  }
  // "close", not "exit": the output pipes may still hold lines when "exit" comes.
  const exited = new Promise<number | string>((resolve) =>
    child.once("close", (code, signal) => resolve(code ?? signal!)),
  )
  const lastLine = () => (lines.length === 0 ? "no output" : `last line: ${JSON.stringify(lines.at(-1))}`)
  const leftBehind = () => processesMarked(marker)
  t.teardown(async () => {
    await groups.stop(child.pid!, STOP_GRACE_MS)
    const left = leftBehind()
    if (left.length === 0) return
    for (const line of left) signal(Number.parseInt(line, 10), "SIGKILL")
    throw new Error(`${command} left processes behind (now killed): ${left.join("; ")}`)
  })
  const waitFor = (pattern: RegExp, ms = 15000) => {
    const matching = new Promise<RegExpExecArray>((resolve) => {
      const seen = lines.map((line) => pattern.exec(line)).find(Boolean)
      if (seen) return resolve(seen)
      const listener = (line: string) => {
        const match = pattern.exec(line)
        if (match) {
          listeners.delete(listener)
          resolve(match)
        }
      }
      listeners.add(listener)
    })
    return deadline(
      matching,
      ms,
      () => `${command}: no line matching ${pattern} after ${ms} ms (${lastLine()})`,
    )
  }
  const exit = (ms = 30000) =>
    deadline(exited, ms, () => `${command}: still running after ${ms} ms (${lastLine()})`)
  return { child, lines, waitFor, exited, exit, leftBehind }
}

/** Whether a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name)
  } catch {
    // gone already
  }
}

/** "pid command line" of each live process whose environment has this start's marker (Linux's /proc). */
function processesMarked(marker: string): string[] {
  let pids: string[]
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name))
  } catch {
    return [] // no /proc: not Linux
  }
  const found: string[] = []
  for (const pid of pids) {
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, "latin1").split("\0")
      if (!environ.includes(`${MARKER}=${marker}`)) continue
      const command = readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0").join(" ").trim()
      // The runner's reaper (examples/lib/reaper.mjs) outlives the runner by a moment, by design.
      if (command.endsWith("examples/lib/reaper.mjs")) continue
      const state = /\) (\w)/.exec(readFileSync(`/proc/${pid}/stat`, "latin1"))?.[1]
      if (state === "Z") continue // exited, not yet reaped by its parent
      found.push(`${pid} ${command}`)
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found
}
/* c8 ignore stop */
