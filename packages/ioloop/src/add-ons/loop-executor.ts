import { servicesOf } from "../loop-services.js"
import { describeValue } from "../validate.js"
import { WorkerPool, type Executor } from "./worker-pool.js"

/** Each loop's default executor: set by `setDefaultExecutor`, else a WorkerPool made at first use. */
const defaults = new WeakMap<object, Executor>()

function isExecutor(value: unknown): value is Executor {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Partial<Executor>).submit === "function" &&
    typeof (value as Partial<Executor>).shutdown === "function"
  )
}

function checkExecutor(value: unknown, orNull: string): asserts value is Executor {
  if (!isExecutor(value)) {
    throw new TypeError(
      `executor must be an Executor (an object with submit() and shutdown(), e.g. a WorkerPool)${orNull}, got ${describeValue(value)}`,
    )
  }
}

/**
 * `IOLoop.runInExecutor`: `fn(...args)` on `executor`, or on the loop's default one for `null`/`undefined`.
 * @throws TypeError for a bad executor (or what its `submit` throws for a bad `fn`).
 */
export function runInExecutor<A extends unknown[], R>(
  loop: object,
  executor: Executor | null | undefined,
  fn: (...args: A) => R,
  args: A,
): Promise<Awaited<R>> {
  if (executor != null) checkExecutor(executor, ", null or undefined")
  return (executor ?? defaultExecutorOf(loop)).submit(fn, ...args)
}

/** `IOLoop.setDefaultExecutor`: the executor `runInExecutor(null, …)` uses from now on, shut down with the loop. */
export function setDefaultExecutor(loop: object, executor: Executor): void {
  checkExecutor(executor, "")
  if (!defaults.has(loop)) {
    // The loop shuts its default executor down as it closes (asyncio's loop.close() does the same); a
    // rejection of shutdown() is logged like any callback's.
    const services = servicesOf(loop)
    services.closeListeners.add(() => {
      const closing = defaults.get(loop)
      defaults.delete(loop)
      return closing?.shutdown()
    })
  }
  defaults.set(loop, executor)
}

function defaultExecutorOf(loop: object): Executor {
  if (!defaults.has(loop)) setDefaultExecutor(loop, new WorkerPool())
  return defaults.get(loop)!
}
