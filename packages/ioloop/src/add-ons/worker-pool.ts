import { availableParallelism } from "node:os"
import { Worker } from "node:worker_threads"
import { checkFunction, checkOptionsObject, describeValue } from "../validate.js"

/**
 * What `IOLoop.runInExecutor` hands work to (Python's `concurrent.futures.Executor`, reduced to the two
 * calls tornado makes). {@link WorkerPool} is the one this package provides; any object with these two
 * methods will do, e.g. one that forwards to a library such as piscina.
 */
export interface Executor {
  /** Runs `fn(...args)` elsewhere; resolves to its (awaited) result, rejects with its error. */
  submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Promise<Awaited<R>>
  /** Stops it: what has not finished rejects, later `submit()` calls throw. */
  shutdown(): Promise<void>
}

/** One `submit()` call: the function's source, its arguments, and how to settle its promise. */
interface Task {
  readonly source: string
  readonly args: unknown[]
  readonly resolve: (value: never) => void
  readonly reject: (error: unknown) => void
}

/** What a worker posts back: the result, or the error with its own fields (structured clone drops them). */
type Outcome = { value: unknown } | { error: unknown; fields: Record<string, unknown> }

// The worker: evaluates each function's source once, then calls it with the arguments it is sent. Run with
// `eval: true`, so it needs no file beside the compiled one (and runs alike from src/ and dist/).
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads")
const compiled = new Map()
function fieldsOf(error) {
  const fields = {}
  if (typeof error !== "object" || error === null) return fields
  for (const [key, value] of Object.entries(error)) if (value === null || typeof value !== "object") fields[key] = value
  return fields
}
parentPort.on("message", async ({ source, args }) => {
  let outcome
  try {
    let fn = compiled.get(source)
    if (fn === undefined) compiled.set(source, (fn = (0, eval)("(" + source + ")")))
    outcome = { value: await fn(...args) }
    parentPort.postMessage(outcome)
  } catch (error) {
    try {
      parentPort.postMessage({ error, fields: fieldsOf(error) })
    } catch {
      parentPort.postMessage({ error: new Error(String(error)), fields: {} })
    }
  }
})
`

/** The default pool size: one worker per CPU the process may use. */
const DEFAULT_SIZE = availableParallelism()

/**
 * A small pool of `worker_threads` that runs functions off the loop's thread: tornado's default executor
 * (`run_in_executor(None, fn, *args)`), for CPU-bound work that would block the loop. Python hands a thread
 * the function object itself; a worker thread shares no objects with the loop, so:
 *
 * - `fn` must be self-contained: its source is sent and evaluated in the worker, so it may use its
 *   parameters, globals and `await import(...)`, but not variables of the scope it was written in. Arrow
 *   functions, `function` expressions and `async` functions work; native and bound functions do not.
 * - `args` and the result are structured-cloned (numbers, strings, plain objects, arrays, Buffers…).
 *
 * Workers start on demand up to `size`, run one call at a time, and do not keep the process alive while
 * idle. A call's error (thrown, or its promise's rejection) rejects its promise with the same class,
 * message, stack and primitive fields (`code`…); a worker that dies (`process.exit()` in `fn`) rejects the
 * call it ran and is replaced.
 */
export class WorkerPool implements Executor {
  /** The most workers it runs at once. */
  readonly size: number
  private readonly idle: Worker[] = []
  private readonly busy = new Map<Worker, Task>()
  private readonly queue: Task[] = []
  private readonly validSources = new Set<string>()
  private shutDown = false

  /**
   * @param options.size - the most workers at once, an integer ≥ 1 (default: `os.availableParallelism()`).
   * @throws TypeError for options that are not an object or a size that is not an integer; RangeError for
   *   a size < 1.
   */
  constructor(options: { size?: number } = {}) {
    checkOptionsObject("options", options, "a WorkerPool option", ["size"])
    const size = options.size ?? DEFAULT_SIZE
    if (typeof size !== "number" || !Number.isInteger(size)) {
      throw new TypeError(`options.size must be an integer number of workers, got ${describeValue(size)}`)
    }
    if (size < 1) throw new RangeError(`options.size must be at least 1, got ${size}`)
    this.size = size
  }

  /**
   * Runs `fn(...args)` on a worker thread. An argument that cannot be structured-cloned rejects the promise
   * with a `TypeError` naming it.
   * @throws TypeError when `fn` is not a function whose source a worker can evaluate; Error after
   *   `shutdown()`.
   */
  submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Promise<Awaited<R>> {
    const source = this.checkSource(fn)
    if (this.shutDown) throw new Error("submit: the WorkerPool is shut down")
    return new Promise<Awaited<R>>((resolve, reject) => {
      this.queue.push({ source, args, resolve: resolve as (value: never) => void, reject })
      this.dispatch()
    })
  }

  /**
   * Terminates the workers. Calls still queued or running reject with `Error("the WorkerPool is shut
   * down")`; later `submit()` calls throw. Resolves once every worker has exited. A second call does nothing.
   */
  async shutdown(): Promise<void> {
    if (this.shutDown) return
    this.shutDown = true
    const stopped = new Error("the WorkerPool is shut down")
    for (const task of this.queue.splice(0)) task.reject(stopped)
    for (const task of this.busy.values()) task.reject(stopped)
    const workers = [...this.idle.splice(0), ...this.busy.keys()]
    this.busy.clear()
    await Promise.all(workers.map((worker) => worker.terminate()))
  }

  /** The source to send for `fn`, compiled once here so that a bad function fails at the call. */
  private checkSource(fn: unknown): string {
    checkFunction("fn", fn)
    const source = Function.prototype.toString.call(fn)
    if (this.validSources.has(source)) return source
    try {
      if (source.endsWith("{ [native code] }")) throw new Error("native or bound")
      new Function(`return (${source})`) // compiles without running: a method shorthand fails here
    } catch {
      throw new TypeError(
        `fn must be a self-contained function expression (its source runs in a worker), got ${describeValue(fn)}`,
      )
    }
    this.validSources.add(source)
    return source
  }

  private dispatch(): void {
    while (this.queue.length > 0 && (this.idle.length > 0 || this.busy.size < this.size)) {
      const task = this.queue.shift()!
      const worker = this.idle.pop() ?? this.startWorker()
      try {
        worker.postMessage({ source: task.source, args: task.args })
      } catch (error) {
        task.reject(new TypeError(`args must be structured-cloneable: ${String(error)}`, { cause: error }))
        this.idle.push(worker)
        continue
      }
      this.busy.set(worker, task)
      worker.ref()
    }
  }

  private startWorker(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true })
    worker.unref()
    worker.on("message", (outcome: Outcome) => {
      const task = this.taskDone(worker)
      this.idle.push(worker)
      if ("value" in outcome) task?.resolve(outcome.value as never)
      else task?.reject(Object.assign(outcome.error as object, outcome.fields))
      this.dispatch()
    })
    worker.on("error", (error) => this.taskDone(worker)?.reject(error))
    worker.on("exit", (code) => {
      this.taskDone(worker)?.reject(new Error(`the worker running it exited with code ${code}`))
      const idleAt = this.idle.indexOf(worker)
      if (idleAt >= 0) this.idle.splice(idleAt, 1)
      if (!this.shutDown) this.dispatch()
    })
    return worker
  }

  /** The task `worker` was running, now off its books, or undefined (none, or the pool was shut down). */
  private taskDone(worker: Worker): Task | undefined {
    const task = this.busy.get(worker)
    this.busy.delete(worker)
    worker.unref()
    return task
  }
}
