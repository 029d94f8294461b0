/**
 * Node's timers and microtask queue as the loop and its streams use them: taken from `node:timers` and a
 * settled promise, not from the globals. Test runners' fake timers (the defaults of `jest.useFakeTimers()`
 * and `vi.useFakeTimers()`) replace the globals, and a loop on faked ones stalled: a callback added from a
 * callback never ran and `start()` never returned after `stop()`, while plain zeromq.js went on. The loop's
 * clock is `performance.now()` of `node:perf_hooks`, or `timeFunc`: a test controls the loop's time there.
 * @module
 */
export {
  clearImmediate,
  clearInterval,
  clearTimeout,
  setImmediate,
  setInterval,
  setTimeout,
} from "node:timers"

const settled = Promise.resolve()

/** `queueMicrotask` on a promise, which fake timers leave alone (jest fakes the global one by default). */
export function queueMicrotask(callback: () => void): void {
  void settled.then(callback)
}
