import { StackContextInconsistentError } from "./stack-context-inconsistent-error.js"
import { ENTER, runInside } from "./state.js"
import { assertFunction } from "./validate.js"

/**
 * What a {@link StackContext} does around the code it covers: it receives `run`, sets up whatever it
 * needs (a try/finally, a try/catch, a logger field…) and calls `run()` once, synchronously, inside it.
 * Its return value is ignored.
 */
export type Around = (run: () => unknown) => unknown

/**
 * A context that is entered around `fn` now and around every callback {@link wrap}ped while it is active,
 * each time that callback is called later (tornado: `stack_context.StackContext`).
 *
 * ```ts
 * const withRequest = new StackContext((run) => {
 *   const saved = current; current = id
 *   try { return run() } finally { current = saved }
 * })
 * withRequest.run(() => setTimeout(wrap(step2), 10))   // step2 runs with `current === id` again
 * ```
 *
 * - The around function is called again on each entry (tornado calls the context factory again).
 * - It covers the synchronous part of `fn`. If `fn` is async, the context stays on the stack across its
 *   `await`s (callbacks wrapped there capture it), but the around function has already returned.
 * - It cannot swallow an error: if `fn` throws, the error reaches the caller even when the around function
 *   catches it and returns (tornado ≥ 3.1). Only an {@link ExceptionStackContext} handler swallows errors.
 *   An error thrown by the around function itself replaces the error of `fn`.
 */
export class StackContext {
  readonly #around: Around
  #active = true

  /**
   * @param around - calls `run` once inside whatever it sets up (tornado takes a factory of context
   *   managers instead, `StackContext(factory)`).
   * @throws TypeError when `around` is not a function.
   */
  constructor(around: Around) {
    assertFunction("around", around)
    this.#around = around
  }

  /** `false` once {@link StackContext.deactivate} was called (tornado: `active`). */
  get active(): boolean {
    return this.#active
  }

  /**
   * Calls `fn` with this context pushed on the stack and entered, and returns what `fn` returns
   * (tornado: `with StackContext(factory): ...`). An error thrown by `fn` reaches the caller as the same
   * object, whatever the around function does with it.
   * @throws TypeError when `fn` is not a function.
   * @throws {@link StackContextInconsistentError} when the around function did not call `run`.
   */
  run<T>(fn: () => T): T {
    assertFunction("fn", fn)
    return runInside(this, fn)
  }

  /**
   * Makes callbacks wrapped inside this context skip it from now on, whatever its position in their
   * captured stack; code running inside it right now is not affected (tornado: the `deactivate` callable
   * that `with StackContext(f) as deactivate` gives). Cannot be undone.
   */
  deactivate(): void {
    this.#active = false
  }

  /** @internal */
  [ENTER]<T>(fn: () => T): T {
    // The around function only *observes* the outcome of fn: its own return value, or catching fn's
    // error, changes nothing (tornado ≥ 3.1 ignores StackContext.exit's return value).
    let calls = 0
    let returned = false
    let failed = false
    let error: unknown
    let result: T | undefined
    const run = (): T => {
      if (returned)
        throw new StackContextInconsistentError("the around function called run after it had returned")
      if (++calls > 1) throw new StackContextInconsistentError("the around function called run twice")
      try {
        return (result = fn())
      } catch (thrown) {
        failed = true
        error = thrown
        throw thrown
      }
    }
    try {
      this.#around(run)
    } finally {
      returned = true
    }
    if (calls === 0)
      throw new StackContextInconsistentError("the around function returned without calling run")
    if (failed) throw error
    return result as T
  }
}
