import { EMPTY, ENTER, removeDeactivated, storage, type Stack } from "./state.js"
import { assertFunction } from "./validate.js"

/** Marks the functions `wrap` returns, so that wrapping one again returns it unchanged. */
const WRAPPED: unique symbol = Symbol("stack-context.wrapped")

type Callable = (...args: unknown[]) => unknown
type Wrapper = Callable & { [WRAPPED]?: true }

/**
 * Captures the contexts active now and returns a function that calls `fn` inside them, whenever and
 * wherever it is called later (tornado: `stack_context.wrap`). Every place that stores a callback to call
 * it later (a loop, a timer, an event emitter) should wrap it when it receives it.
 *
 * - Isolation: the wrapper runs `fn` with exactly the captured contexts, never with those that are merely
 *   active where it is called; a function wrapped while no context was active runs with the stack emptied.
 * - Contexts deactivated since the capture are skipped, wherever they sit in the captured stack.
 * - The wrapper passes its arguments to `fn` (not `this`) and returns what `fn` returns, or `undefined`
 *   when an {@link ExceptionStackContext} handler swallowed its error; unhandled errors are thrown as
 *   the same object.
 * - `wrap(null)` and `wrap(undefined)` return their argument; wrapping a wrapper returns it unchanged (it
 *   keeps its first capture).
 * - With no context active, the wrapper costs about a plain call (see the package README for the figure).
 *
 * @throws TypeError when `fn` is neither a function nor null/undefined.
 */
export function wrap<F extends Function | null | undefined>(fn: F): F {
  if (fn === null || fn === undefined) return fn
  assertFunction("fn", fn)
  if ((fn as Wrapper)[WRAPPED]) return fn
  const captured = storage.getStore()
  const wrapper =
    captured === undefined || captured.length === 0
      ? nullWrapper(fn as Callable)
      : contextWrapper(fn as Callable, captured)
  wrapper[WRAPPED] = true
  return wrapper as unknown as F
}

/** tornado's `null_wrapper`: nothing to re-enter, only the caller's contexts to hide. */
function nullWrapper(fn: Callable): Wrapper {
  return (...args) => {
    // Fast path (every IOLoop callback comes here): no context active at the call site either, so
    // isolation already holds and a plain call will do.
    const current = storage.getStore()
    if (current === undefined || current.length === 0) return fn(...args)
    // The caller runs inside contexts: hide them from fn and from what fn wraps.
    return storage.run(EMPTY, fn, ...args)
  }
}

/** Re-enters the captured contexts, outermost first, around each call. */
function contextWrapper(fn: Callable, captured: Stack): Wrapper {
  let contexts = captured
  return (...args) => {
    // Dropped for good once deactivated, so later calls skip the filtering (tornado caches it too).
    contexts = removeDeactivated(contexts)
    // As in tornado, the whole captured stack is set first, then each context is entered inside it.
    return storage.run(contexts, enterFrom, contexts, 0, fn, args)
  }
}

function enterFrom(contexts: Stack, index: number, fn: Callable, args: unknown[]): unknown {
  if (index === contexts.length) return fn(...args)
  return contexts[index]![ENTER](() => enterFrom(contexts, index + 1, fn, args))
}

/**
 * Whether any stack context is active here, i.e. whether `wrap()` called now would capture something.
 * An event loop that runs its callbacks with the context stack emptied (inside a `NullContext`) can skip
 * `wrap()` when this is false: the callback will see no context either way. (No tornado equivalent; it is
 * what tornado's `wrap` fast path tests.)
 */
export function hasStackContext(): boolean {
  const current = storage.getStore()
  return current !== undefined && current.length > 0
}
