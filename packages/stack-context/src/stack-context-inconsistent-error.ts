/**
 * Thrown when a context's enter/exit did not happen the way it was set up.
 *
 * In tornado this caught a `yield` inside `with StackContext(...)`: the generator left the context on the
 * thread-local stack. Here the stack lives in an `AsyncLocalStorage` and is restored by Node itself, so
 * that cannot happen; what can still go wrong is the *around* function of a {@link StackContext} breaking
 * its contract, which is to call `run` exactly once, synchronously, before returning:
 *
 * - the around function returned without calling `run` (thrown by `ctx.run` or by the wrapped callback
 *   re-entering the context; the callback did not run),
 * - it called `run` a second time (thrown by that second call),
 * - it called `run` after it had returned, e.g. from a timer or after an `await` (thrown by that late call).
 *
 * ```ts
 * new StackContext((run) => { setTimeout(run) })   // wrong: run after return → StackContextInconsistentError
 * new StackContext((run) => { prepare(); try { return run() } finally { cleanUp() } })   // right
 * ```
 */
export class StackContextInconsistentError extends Error {
  override readonly name = "StackContextInconsistentError"
}
