import type { Test } from "tap"
import { IOLoop, type IOLoopOptions, type Logger } from "../../src/index.js"

export const POLLERS = ["fd", "interval"] as const

/** Where the native data path ships (the linux-x64 and linux-arm64 prebuilds); elsewhere streams use zeromq.js's. */
export const NATIVE_DATA_PATH_HERE =
  process.platform === "linux" && (process.arch === "x64" || process.arch === "arm64")
/** The skip reason of a test that needs the native data path, or `false` where it ships. */
export const NO_NATIVE_DATA_PATH: string | false =
  !NATIVE_DATA_PATH_HERE && "the native data path ships for linux-x64 and linux-arm64 only"
export type PollerChoice = (typeof POLLERS)[number]

/** A logger that keeps what it is given, so tests can assert on log lines. */
export class MemoryLogger implements Logger {
  readonly lines: { level: string; args: unknown[] }[] = []
  error(...args: unknown[]): void {
    this.lines.push({ level: "error", args })
  }
  warn(...args: unknown[]): void {
    this.lines.push({ level: "warn", args })
  }
  info(...args: unknown[]): void {
    this.lines.push({ level: "info", args })
  }
  debug(...args: unknown[]): void {
    this.lines.push({ level: "debug", args })
  }
  messages(level: string): string[] {
    return this.lines.filter((line) => line.level === level).map((line) => String(line.args[0]))
  }
}

/** A loop that is not made current, logs into memory, and is closed when the test ends. */
export function newLoop(t: Test, options: IOLoopOptions = {}): IOLoop & { memory: MemoryLogger } {
  const memory = new MemoryLogger()
  const loop = new IOLoop({ makeCurrent: false, logger: memory, ...options }) as IOLoop & {
    memory: MemoryLogger
  }
  loop.memory = memory
  t.teardown(() => {
    if (loop.running()) loop.stop()
    loop.close()
  })
  return loop
}

/**
 * Runs the loop until `stop()`, failing if that takes longer than `ms`: the deadline every wait in these
 * tests has instead of a fixed sleep.
 */
export async function runUntilStopped(loop: IOLoop, ms = 5000): Promise<void> {
  let timedOut = false
  const guard = setTimeout(() => {
    timedOut = true
    loop.stop()
  }, ms)
  try {
    await loop.start()
  } finally {
    clearTimeout(guard)
  }
  if (timedOut) throw new Error(`the loop was still running after ${ms} ms`)
}

/** Runs `body` once per poller backend, as a subtest named after it. */
export function forEachPoller(t: Test, body: (t: Test, poller: PollerChoice) => Promise<void>): void {
  for (const poller of POLLERS) t.test(`${poller} poller`, (t) => body(t, poller))
}
