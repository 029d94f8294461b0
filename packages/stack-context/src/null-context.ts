import { EMPTY, storage } from "./state.js"
import { assertFunction } from "./validate.js"
import { hasStackContext } from "./wrap.js"

/**
 * Empties the context stack for the code it covers, so that callbacks {@link wrap}ped there capture no
 * context (tornado: `stack_context.NullContext`). Useful for state shared between requests, such as a
 * connection pool, whose callbacks must not run inside the request that happened to create it.
 *
 * The contexts active outside are not exited: they stay on the real call stack, so an error thrown inside
 * still goes through their around functions and handlers.
 */
export class NullContext {
  /**
   * Calls `fn` with the stack emptied and returns what it returns (tornado: `with NullContext(): ...`).
   * @throws TypeError when `fn` is not a function.
   */
  run<T>(fn: () => T): T {
    assertFunction("fn", fn)
    // Already empty: nothing to hide. Calling straight through also keeps AsyncLocalStorage disabled in a
    // program that never enters a context (on Node 20 an enabled one installs promise hooks that slow every
    // promise in the process).
    if (!hasStackContext()) return fn()
    return storage.run(EMPTY, fn)
  }
}
