// What a test runner's fake timers do to the globals (jest's and vitest's defaults, @sinonjs/fake-timers):
// setImmediate, setTimeout, setInterval, queueMicrotask and performance replaced by fakes that run only
// when the test advances its fake clock, which these never do.

import type { DeadlineTimers } from "./deadline.js"

const FAKED = [
  "setImmediate",
  "clearImmediate",
  "setTimeout",
  "clearTimeout",
  "setInterval",
  "clearInterval",
  "queueMicrotask",
  "performance",
] as const

/** The real timers, for a test's deadline (`within`) while the globals are faked. */
export type RealTimers = DeadlineTimers

/** Runs `body` with the globals faked, and restores them after. */
export async function withFakeGlobalTimers<T>(body: (real: RealTimers) => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(FAKED.map((name) => [name, globalThis[name]]))
  const real: RealTimers = { setTimeout, clearTimeout }
  const handle = (): object => ({ ref: handle, unref: handle, hasRef: () => true })
  Object.assign(globalThis, {
    setImmediate: handle,
    clearImmediate: () => {},
    setTimeout: handle,
    clearTimeout: () => {},
    setInterval: handle,
    clearInterval: () => {},
    queueMicrotask: () => {},
    performance: { now: () => 0, timeOrigin: 0 },
  })
  try {
    return await body(real)
  } finally {
    Object.assign(globalThis, saved)
  }
}
