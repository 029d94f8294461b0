import { ENTER, runInside } from "./state.js"
import { assertFunction } from "./validate.js"

/** Receives an error; a truthy return value means "handled": the error stops here. */
export type ExceptionHandler = (error: unknown) => boolean | void

/**
 * A context that sends errors to `handler`: errors thrown by the code it covers, by every callback
 * {@link wrap}ped while it is active (when that callback is called later), and rejections of the promises
 * they return (tornado: `stack_context.ExceptionStackContext`, whose handler gets `(type, value, tb)`).
 *
 * - A truthy return value swallows the error: `run` (or the wrapped callback) returns `undefined`, or its
 *   promise resolves to `undefined`. Any other return lets the error go on, as the same object, to the
 *   next handler outwards and then to the caller. Handlers run innermost first.
 * - An error thrown by the handler replaces the original one and goes on outwards.
 * - The handler decides synchronously, as tornado's do: an `async` handler is a TypeError at the constructor
 *   (its promise would be truthy whatever it resolves to), and a promise returned by another handler is a
 *   TypeError thrown outwards in place of the error, which it carries as `cause`.
 * - The handler runs with this context still on the stack, as in tornado.
 */
export class ExceptionStackContext {
  readonly #handler: ExceptionHandler
  #active = true

  /**
   * @param handler - called with each error; return a truthy value to swallow it.
   * @throws TypeError when `handler` is not a function, or is an `async` function.
   */
  constructor(handler: ExceptionHandler) {
    assertFunction("handler", handler)
    if (Object.prototype.toString.call(handler) === "[object AsyncFunction]") {
      throw new TypeError(
        "handler must be synchronous: it returns true to swallow the error, and an async function's promise is always truthy",
      )
    }
    this.#handler = handler
  }

  /** `false` once {@link ExceptionStackContext.deactivate} was called (tornado: `active`). */
  get active(): boolean {
    return this.#active
  }

  /**
   * Calls `fn` with this context pushed on the stack and returns what `fn` returns, or `undefined` when
   * the handler swallowed its error (tornado: `with ExceptionStackContext(handler): ...`). When `fn`
   * returns a promise, its rejection goes to the handler too and `run` returns a promise that resolves to
   * `undefined` if the handler swallowed the error, and otherwise rejects with the same error object.
   * @throws TypeError when `fn` is not a function.
   */
  run<T>(fn: () => T): T | undefined {
    assertFunction("fn", fn)
    return runInside(this, fn)
  }

  /**
   * Makes callbacks wrapped inside this context skip it from now on, so their errors no longer reach this
   * handler; code running inside it right now still does (tornado: the `deactivate` callable of
   * `with ExceptionStackContext(h) as deactivate`). Cannot be undone.
   */
  deactivate(): void {
    this.#active = false
  }

  /** @internal */
  [ENTER]<T>(fn: () => T): T {
    let result: T
    try {
      result = fn()
    } catch (error) {
      if (this.#handles(error)) return undefined as T
      throw error
    }
    // Beyond tornado: a rejection of the promise fn returned is handled like a throw.
    if (isThenable(result)) return Promise.resolve(result).then(undefined, this.#onRejected) as T
    return result
  }

  readonly #onRejected = (error: unknown): undefined => {
    if (this.#handles(error)) return undefined
    throw error
  }

  /** Whether the handler swallows `error`. @throws what the handler throws; TypeError if it returns a promise. */
  #handles(error: unknown): boolean {
    const verdict: unknown = this.#handler(error)
    if (!isThenable(verdict)) return Boolean(verdict)
    // The TypeError reports the mistake; the promise's own rejection, if any, is not left unhandled too.
    Promise.resolve(verdict).catch(() => {})
    throw new TypeError(
      "ExceptionStackContext handler returned a promise: it must return synchronously whether it handled the error (see cause)",
      { cause: error },
    )
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  )
}
