/**
 * Sleeps the calling thread for well under a millisecond, which Node's timers cannot (they fire 1 ms apart
 * at best): `Atomics.wait` on a cell no one notifies, a futex wait that gives the core to other threads.
 * @module
 */

const cell = new Int32Array(new SharedArrayBuffer(4))

/** Whether this thread may block (a browser-like main thread refuses `Atomics.wait`: it never naps then). */
let mayBlock = true

/** Blocks this thread for about `ms` milliseconds (Linux adds its timer slack, ~50 µs). */
export function napThread(ms: number): void {
  if (!mayBlock) return
  try {
    Atomics.wait(cell, 0, 0, ms)
  } catch {
    mayBlock = false
  }
}
