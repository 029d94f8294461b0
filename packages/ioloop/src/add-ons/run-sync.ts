import { TimeoutError } from "../errors.js"
import type { IOLoop } from "../ioloop.js"
import { checkFiniteNumber, checkFunction, checkOptionsObject, isThenable } from "../validate.js"

/**
 * `IOLoop.runSync`: starts `loop`, runs `fn` on it, and stops it when `fn`'s result settles (tornado
 * `run_sync`). Built on the loop's public API only, like PeriodicCallback.
 */
export async function runSync<T>(
  loop: IOLoop,
  fn: () => T | PromiseLike<T>,
  options: { timeout?: number | null },
): Promise<T> {
  checkFunction("fn", fn)
  checkOptionsObject("options", options, "a runSync option", ["timeout"])
  const timeout = options.timeout ?? undefined // null, as tornado's None: no timeout
  if (timeout !== undefined) {
    checkFiniteNumber("options.timeout", timeout)
    if (timeout < 0) throw new RangeError(`options.timeout must be >= 0 (ms), got ${timeout}`)
  }
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined
  let finished = false
  const finish = () => {
    if (finished) return // a result that comes after the timeout must not stop a later run
    finished = true
    loop.stop()
  }
  loop.addCallback(() => {
    let result: T | PromiseLike<T>
    let thenable: boolean
    try {
      result = fn()
      thenable = isThenable(result) // reading a `then` getter may throw: the function's error, then
    } catch (error) {
      outcome = { ok: false, error }
      return finish()
    }
    // A plain value is the outcome at once (tornado takes only None so, and raises BadYieldError for any
    // other value; a JavaScript function may return one): a timeout due in this iteration (`timeout: 0`)
    // then finds the function completed.
    if (!thenable) {
      outcome = { ok: true, value: result as T }
      return finish()
    }
    Promise.resolve(result).then(
      (value) => {
        if (!finished) outcome = { ok: true, value }
        finish()
      },
      (error: unknown) => {
        if (!finished) outcome = { ok: false, error }
        finish()
      },
    )
  })
  const timer = timeout === undefined ? undefined : loop.callLater(timeout, finish)
  await loop.start()
  if (timer !== undefined) loop.removeTimeout(timer)
  if (outcome === undefined) {
    if (timeout !== undefined && finished) throw new TimeoutError(`Operation timed out after ${timeout} ms`)
    throw new Error("IOLoop stopped before the function completed")
  }
  if (!outcome.ok) throw outcome.error
  return outcome.value
}
