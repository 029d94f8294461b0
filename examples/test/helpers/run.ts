// Starts example programs the way examples/README.md does (`node examples/...` from the repository root),
// collects their output lines, waits for a line or the exit with a deadline, and kills whatever is still
// running when the test ends.
//
// Test scaffolding, not code under test: its failure paths (deadlines, kills) run only when a test fails,
// so it is left out of the coverage figures.
/* c8 ignore start */
import { spawn, type ChildProcess } from "node:child_process"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"

export const root = fileURLToPath(new URL("../../..", import.meta.url))

/**
 * The environment of the examples: tap's own, minus its coverage collection. The examples are programs a
 * user runs, not library code: the coverage thresholds apply to the packages' tests.
 */
export const exampleEnv = { ...process.env, _TAPJS_PROCESSINFO_COVERAGE_: "0" }

export interface Example {
  child: ChildProcess
  /** Every stdout and stderr line so far. */
  lines: string[]
  /** Resolves with the match of the first line (past or future) matching `pattern`; rejects after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpExecArray>
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>
  /** Resolves with the exit code, or rejects if the process is still running after `ms`. */
  exit(ms?: number): Promise<number | string>
}

interface Teardown {
  teardown(fn: () => unknown): void
}

function deadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms)
  })
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer))
}

/** Runs `node <args>` in the repository root; the child is SIGKILLed at teardown if still running. */
export function start(t: Teardown, args: string[], env: NodeJS.ProcessEnv = exampleEnv): Example {
  return startProgram(t, process.execPath, args, env)
}

/** Runs `command <args>` in the repository root (a peer in another language); as `start`. */
export function startProgram(
  t: Teardown,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = exampleEnv,
): Example {
  const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] })
  const lines: string[] = []
  const listeners = new Set<(line: string) => void>()
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on("line", (line) => {
      lines.push(line)
      for (const listener of listeners) listener(line)
    })
  }
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => setImmediate(() => resolve(code ?? signal!))),
  )
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
    await exited
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
    return deadline(matching, ms, `${args.join(" ")}: waiting for ${pattern}`)
  }
  const exit = (ms = 30000) => deadline(exited, ms, `${args.join(" ")}: waiting for exit`)
  return { child, lines, waitFor, exited, exit }
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
/* c8 ignore stop */
