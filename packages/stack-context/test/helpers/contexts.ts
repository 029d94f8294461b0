// Test helpers shared by the stack-context suites (excluded from tap's test list by .taprc).
import { wrap, type Around } from "../../src/index.js"

/**
 * tornado's `StackContextTest.context(name)`: an around function that pushes `name` on `active` while the
 * code it covers runs, and checks on the way out that it is still the innermost name.
 */
export function tracker() {
  const active: string[] = []
  const exit = (name: string) => {
    const popped = active.pop()
    if (popped !== name) throw new Error(`context ${name} exited while ${popped} was innermost`)
  }
  const context =
    (name: string): Around =>
    (run) => {
      active.push(name)
      let result: unknown
      try {
        result = run()
      } catch (error) {
        exit(name)
        throw error
      }
      exit(name)
      return result
    }
  /** The names a callback wrapped here sees when it runs (tornado's checks after a `yield`). */
  const seenByCallback = (): string[] => wrap(() => [...active])()
  return { active, context, seenByCallback }
}

/**
 * A tiny stand-in for `IOLoop.addCallback` until the loop package exists: wraps `callback` now (capturing
 * the active contexts, as tornado's add_callback does) and calls it with `args` on a later turn.
 */
export function later(callback: (...args: never[]) => unknown, ...args: unknown[]): void {
  const wrapped = wrap(callback) as (...args: unknown[]) => unknown
  setImmediate(() => wrapped(...args))
}

/** A promise settled by hand, rejected if nothing settles it within `deadlineMs` (a deadline, not a sleep). */
export function deferred<T = void>(deadlineMs = 5000) {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  const timer = setTimeout(() => reject(new Error(`not settled within ${deadlineMs} ms`)), deadlineMs)
  promise.then(
    () => clearTimeout(timer),
    () => clearTimeout(timer),
  )
  return { promise, resolve, reject }
}

/** Resolves on a later turn of the event loop (an `await` that really suspends). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
