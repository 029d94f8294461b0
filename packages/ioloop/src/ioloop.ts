import { performance } from "node:perf_hooks"
import { hasStackContext, NullContext, wrap } from "@zmq-eventloop/stack-context"
import { ALL_EVENTS, ERROR, NONE, READ, WRITE } from "./constants.js"
import { isZmqSocket, type Handler, type HandlerTarget } from "./handler-entry.js"
import { HandlerTable } from "./handler-table.js"
import { runSync } from "./run-sync.js"
import { describeCallback, type Logger } from "./logger.js"
import type { PollerKind } from "./poller.js"
import { Timeout, TimeoutQueue } from "./timeout-queue.js"
import { checkFiniteNumber, checkFunction, describeValue, isThenable } from "./validate.js"

/** Options of `new IOLoop()`. */
export interface IOLoopOptions {
  /**
   * `undefined` (default): become the current loop if there is none. `true`: become current, throwing if
   * another loop already is. `false`: become current only while running. (tornado `make_current`)
   */
  makeCurrent?: boolean
  /** The clock for `time()` and every deadline, in milliseconds. Default: `performance.now()` (monotonic). */
  timeFunc?: () => number
  /** Where errors and warnings go. Default: `console`. */
  logger?: Logger
  /**
   * How the loop waits for zmq sockets: `"fd"` (the native fd watcher; throws if it cannot load),
   * `"interval"` (check on a short adaptive timer), or `"auto"` (default: `fd`, falling back to
   * `interval` with a one-line warning).
   */
  poller?: "auto" | "fd" | "interval"
}

/** A callback queued by `addCallback`, wrapped in its stack contexts. */
interface QueuedCallback {
  readonly callback: Function
  readonly original: Function
  readonly args: unknown[]
  readonly origin: string | undefined
}

const NO_ARGS: unknown[] = []
const nullContext = new NullContext()

/**
 * `callback` wrapped in the stack contexts active now, or `callback` itself when there are none: the loop
 * runs every iteration inside a `NullContext`, so an unwrapped callback sees no context either (isolation),
 * and skipping the wrapper saves an allocation per timeout (measured: 100k callLater, GC-bound).
 */
function capture<F extends Function>(callback: F): F {
  return hasStackContext() ? wrap(callback) : callback
}

function captureOrigin(): string {
  const stack = new Error().stack ?? ""
  return stack.split("\n").slice(3).join("\n")
}

/**
 * A level-triggered I/O loop for zeromq.js sockets and file descriptors, with timeouts and callbacks: the
 * port of pyzmq's `zmq.eventloop.ioloop.IOLoop` with tornado 4.5's semantics, running on top of Node's own
 * event loop. Time is in milliseconds everywhere.
 *
 * Each iteration runs, in order: the callbacks queued before it (FIFO), every timeout due at a fresh
 * `time()`, then the handlers of the targets found ready, and waits for I/O or the next deadline. Nothing
 * runs while the loop is not started. Every callback, timeout and handler runs inside the stack contexts
 * that were active when it was registered, and its errors (thrown, or a rejected returned promise) go to
 * `handleCallbackException`: the loop never dies of a user error.
 *
 * @example
 * ```ts
 * const loop = new IOLoop()
 * loop.callLater(100, () => loop.stop())
 * await loop.start()
 * ```
 */
export class IOLoop {
  static readonly NONE = NONE
  static readonly READ = READ
  static readonly WRITE = WRITE
  static readonly ERROR = ERROR

  private static currentLoop: IOLoop | null = null
  private static globalInstance: IOLoop | null = null

  /** The poller in use: `"fd"` (native watcher) or `"interval"` (timer fallback). */
  readonly pollerKind: PollerKind

  /** Where the loop (and the streams on it) write errors and warnings. */
  readonly logger: Logger
  private readonly timeFunc: (() => number) | undefined
  private readonly handlers: HandlerTable
  private readonly timeouts = new TimeoutQueue()
  private callbacks: QueuedCallback[] = []

  private isRunning = false
  private stopRequested = false
  private isClosed = false
  private iterating = false
  private waitTimer: NodeJS.Timeout | undefined
  private waitTimerDeadline = Infinity
  private waitImmediate: NodeJS.Immediate | undefined
  private wakeQueued = false
  private keepAlive: NodeJS.Timeout | undefined
  private resolveStart: (() => void) | undefined
  private previousCurrent: IOLoop | null = null
  private blockingThreshold: number | null = null

  /**
   * @throws Error when `makeCurrent` is true and another loop is current, or `poller: "fd"` cannot load.
   */
  constructor(options: IOLoopOptions = {}) {
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`options must be an object, got ${describeValue(options)}`)
    }
    const { makeCurrent, timeFunc, logger = console, poller = "auto" } = options
    if (timeFunc !== undefined) checkFunction("options.timeFunc", timeFunc)
    if (!["auto", "fd", "interval"].includes(poller)) {
      throw new TypeError(`options.poller must be "auto", "fd" or "interval", got ${describeValue(poller)}`)
    }
    this.timeFunc = timeFunc
    this.logger = logger
    this.handlers = new HandlerTable(
      {
        logger,
        pollerWoke: () => {
          if (this.isWaiting()) this.iterate()
        },
        entryMarked: () => {
          if (this.isWaiting()) this.wakeSoon()
        },
        runUserCode: (callback, original, args, origin) => this.runUserCode(callback, original, args, origin),
      },
      poller,
    )
    this.pollerKind = this.handlers.pollerKind
    if (makeCurrent === true) {
      if (IOLoop.currentLoop !== null) throw new Error("current IOLoop already exists")
      this.makeCurrent()
    } else if (makeCurrent === undefined && IOLoop.currentLoop === null) {
      this.makeCurrent()
    }
  }

  // ---- the global instance and the current loop ---------------------------------------------------------

  /** The process-wide loop, created on first use. (tornado `IOLoop.instance()`) */
  static instance(): IOLoop {
    IOLoop.globalInstance ??= new IOLoop()
    return IOLoop.globalInstance
  }

  /** Whether `instance()` has a loop. (tornado `IOLoop.initialized()`) */
  static initialized(): boolean {
    return IOLoop.globalInstance !== null
  }

  /** Forgets the global instance (it is not closed). (tornado `IOLoop.clear_instance()`) */
  static clearInstance(): void {
    IOLoop.globalInstance = null
  }

  /**
   * Makes this loop the global instance. @throws Error if `instance()` already has one.
   * (tornado `IOLoop.install()`)
   */
  install(): void {
    if (IOLoop.globalInstance !== null) throw new Error("IOLoop instance already initialized")
    IOLoop.globalInstance = this
  }

  /**
   * The current loop: the running one, or the one made current; with no argument it falls back to
   * `instance()`, with `false` it returns `null` instead. (tornado `IOLoop.current(instance=True)`)
   */
  static current(): IOLoop
  static current(instance: false): IOLoop | null
  static current(instance = true): IOLoop | null {
    if (IOLoop.currentLoop === null && instance) return IOLoop.instance()
    return IOLoop.currentLoop
  }

  /** Makes this loop the one `IOLoop.current()` returns. `start()` does it while running. */
  makeCurrent(): void {
    IOLoop.currentLoop = this
  }

  /** Leaves no loop current. (tornado `IOLoop.clear_current()`) */
  static clearCurrent(): void {
    IOLoop.currentLoop = null
  }

  // ---- handlers -------------------------------------------------------------------------------------------

  /**
   * Calls `handler(target, events)` in every iteration while `target` has any of the `events`
   * (`READ | WRITE | ERROR`; `ERROR` is always reported): level-triggered like `zmq_poll`. Readiness is
   * checked at once. `target` is a zeromq.js socket or, on the fd poller, a plain file descriptor.
   * A zmq socket closed behind the loop's back reports `ERROR` once and is then removed.
   *
   * @throws TypeError / RangeError for a bad argument; Error if `target` is already registered or the loop
   * is closed.
   */
  addHandler<T extends HandlerTarget>(target: T, handler: Handler<T>, events: number): void {
    this.checkOpen()
    if (!isZmqSocket(target) && !(Number.isInteger(target) && (target as number) >= 0)) {
      throw new TypeError(`target must be a zeromq socket or a file descriptor, got ${describeValue(target)}`)
    }
    checkFunction("handler", handler)
    checkEvents(events)
    if (isZmqSocket(target) && target.closed) throw new Error("addHandler: the socket is closed")
    const origin = this.blockingThreshold === null ? undefined : captureOrigin()
    this.handlers.add(target, capture(handler), handler, events, origin)
  }

  /**
   * Changes the events `target`'s handler is called for; readiness for events it adds is checked at once.
   * @throws Error if `target` is not registered.
   */
  updateHandler(target: HandlerTarget, events: number): void {
    checkEvents(events)
    this.handlers.update(target, events)
  }

  /**
   * Stops watching `target`; a no-op if it is not registered. A handler removed during an iteration is not
   * called later in that iteration.
   */
  removeHandler(target: HandlerTarget): void {
    this.handlers.remove(target)
  }

  // ---- timeouts and callbacks -----------------------------------------------------------------------------

  /**
   * Runs `callback(...args)` at `deadline`, an absolute time in ms on this loop's `time()` clock.
   * Equal deadlines run in the order added. (tornado `add_timeout`)
   * @returns a handle for `removeTimeout`.
   */
  addTimeout<A extends unknown[]>(deadline: number, callback: (...args: A) => unknown, ...args: A): Timeout {
    checkFiniteNumber("deadline", deadline, "ms on this loop's time()")
    checkFunction("callback", callback)
    this.checkOpen()
    const origin = this.blockingThreshold === null ? undefined : captureOrigin()
    const timeout = this.timeouts.add(
      deadline,
      capture(callback),
      callback,
      args.length === 0 ? NO_ARGS : args,
      origin,
    )
    if (
      deadline < this.waitTimerDeadline &&
      this.isWaiting() &&
      this.waitImmediate === undefined &&
      !this.wakeQueued
    ) {
      this.scheduleWait()
    }
    return timeout
  }

  /** Runs `callback(...args)` at `when`, absolute ms on `time()`. Same as `addTimeout`. (tornado `call_at`) */
  callAt<A extends unknown[]>(when: number, callback: (...args: A) => unknown, ...args: A): Timeout {
    checkFiniteNumber("when", when, "ms on this loop's time()")
    return this.addTimeout(when, callback, ...args)
  }

  /** Runs `callback(...args)` after `delay` ms. (tornado `call_later`) */
  callLater<A extends unknown[]>(delay: number, callback: (...args: A) => unknown, ...args: A): Timeout {
    checkFiniteNumber("delay", delay)
    return this.addTimeout(this.time() + delay, callback, ...args)
  }

  /** Cancels a timeout; harmless if it already ran or was removed. (tornado `remove_timeout`) */
  removeTimeout(timeout: Timeout): void {
    if (!(timeout instanceof Timeout)) {
      throw new TypeError(`timeout must be a Timeout returned by addTimeout, got ${describeValue(timeout)}`)
    }
    this.timeouts.remove(timeout)
  }

  /**
   * Runs `callback(...args)` on the next iteration (callbacks run first-in, first-out); callable from
   * anywhere, including outside the loop. (tornado `add_callback`)
   */
  addCallback<A extends unknown[]>(callback: (...args: A) => unknown, ...args: A): void {
    checkFunction("callback", callback)
    this.checkOpen()
    this.enqueue(capture(callback), callback, args.length === 0 ? NO_ARGS : args)
  }

  /**
   * Like `addCallback`, but the callback runs without the caller's stack contexts (for work that should
   * not inherit them). (tornado `spawn_callback`)
   */
  spawnCallback<A extends unknown[]>(callback: (...args: A) => unknown, ...args: A): void {
    checkFunction("callback", callback)
    this.checkOpen()
    this.enqueue(callback, callback, args.length === 0 ? NO_ARGS : args) // iterations run in a NullContext
  }

  private enqueue(callback: Function, original: Function, args: unknown[]): void {
    const origin = this.blockingThreshold === null ? undefined : captureOrigin()
    this.callbacks.push({ callback, original, args, origin })
    if (this.isWaiting()) this.wakeSoon()
  }

  /**
   * Calls `callback(promise)` on the loop once `promise` settles (fulfilled or rejected), inside the
   * caller's stack contexts. (tornado `add_future`)
   */
  addPromise<T>(promise: PromiseLike<T>, callback: (promise: Promise<T>) => unknown): void {
    if (!isThenable(promise)) throw new TypeError(`promise must be a promise, got ${describeValue(promise)}`)
    checkFunction("callback", callback)
    this.checkOpen()
    const settled = Promise.resolve(promise)
    const wrapped = capture(callback)
    const queue = () => {
      if (!this.isClosed) this.enqueue(wrapped, callback, [settled])
    }
    settled.then(queue, queue)
  }

  /**
   * Starts the loop, runs `fn` on it, and stops the loop when `fn`'s result (a value or a promise) is
   * settled. Resolves to that value or rejects with its error; with `options.timeout` (ms) rejects with a
   * `TimeoutError` if it takes longer. (tornado `run_sync`)
   */
  runSync<T>(fn: () => T | PromiseLike<T>, options: { timeout?: number } = {}): Promise<T> {
    return runSync(this, fn, options)
  }

  // ---- running ---------------------------------------------------------------------------------------------

  /**
   * Runs the loop until `stop()`; the returned promise resolves once it has stopped. Keeps the Node
   * process alive meanwhile, and makes this loop current while it runs. If `stop()` was called before,
   * returns at once (resetting that request).
   * @throws Error("IOLoop is already running") synchronously when it runs; Error when closed.
   */
  start(): Promise<void> {
    this.checkOpen()
    if (this.resolveStart !== undefined) throw new Error("IOLoop is already running")
    if (this.stopRequested) {
      this.stopRequested = false
      return Promise.resolve()
    }
    this.isRunning = true
    this.previousCurrent = IOLoop.currentLoop
    IOLoop.currentLoop = this
    this.keepAlive = setInterval(() => {}, 0x7fffffff)
    this.handlers.resume()
    this.wakeSoon()
    return new Promise((resolve) => (this.resolveStart = resolve))
  }

  /**
   * Stops the loop: the current phase finishes, then the callbacks and due timeouts of one more pass run,
   * and `start()`'s promise resolves. Called before `start()`, makes the next `start()` return at once.
   */
  stop(): void {
    this.stopRequested = true
    if (!this.isRunning) return
    this.isRunning = false
    if (!this.iterating) this.wakeSoon()
  }

  /** Whether the loop is between `start()` and the end of its run. */
  running(): boolean {
    return this.isRunning
  }

  /**
   * Releases the loop: unregisters every handler (closing the sockets, or the fds, too when `allFds`),
   * drops pending callbacks and timeouts. Call it after `start()` has resolved; later `add*` calls throw.
   * @throws Error if the loop is running.
   */
  close(allFds = false): void {
    if (this.isRunning) throw new Error("IOLoop is running: stop it and wait for start() before close()")
    if (this.isClosed) return
    this.isClosed = true
    this.handlers.close(allFds)
    this.timeouts.clear()
    this.callbacks = []
    if (IOLoop.currentLoop === this) IOLoop.currentLoop = null
    if (IOLoop.globalInstance === this) IOLoop.globalInstance = null
  }

  /**
   * While a handler runs: whether it is called again because its socket was still ready after its previous
   * call, with no new signal since (a burst). ZMQStream sizes its receive chunks by it.
   * @internal
   */
  get handlerStillReady(): boolean {
    return this.handlers.stillReady
  }

  /** The loop's clock in milliseconds: monotonic `performance.now()` unless `timeFunc` was given. */
  time(): number {
    return this.timeFunc === undefined ? performance.now() : this.timeFunc()
  }

  /**
   * Called with any error a callback, timeout or handler threw (or its returned promise rejected with).
   * Logs `Exception in callback <name>` with the error through the logger; override it to do more.
   */
  handleCallbackException(callback: Function, error: unknown): void {
    this.logger.error(`Exception in callback ${describeCallback(callback)}`, error)
  }

  /**
   * Warns `IOLoop blocked for <n> ms in <name>` with the stack where the callback was registered, after
   * any callback, timeout or handler that ran longer than `ms`; `null` turns it off. Stacks are captured
   * only while a threshold is set. (tornado `set_blocking_log_threshold`, in ms)
   */
  setBlockingLogThreshold(ms: number | null): void {
    if (ms !== null) checkFiniteNumber("ms", ms)
    this.blockingThreshold = ms
  }

  // ---- one iteration ---------------------------------------------------------------------------------------

  // Every iteration runs with the stack-context stack emptied, whatever context the Node callback that
  // woke the loop inherited: callbacks then see only the contexts they captured.
  private readonly iterate = (): void => nullContext.run(this.runIteration)

  private readonly runIteration = (): void => {
    this.wakeQueued = false
    this.cancelWait()
    this.iterating = true
    try {
      // 1. Callbacks queued before this point; the ones they queue wait for the next iteration.
      this.runCallbacks()
      // 2. Timeouts due at a fresh time(), all collected before any runs.
      this.runDueTimeouts()
      // 3. A stop() ends the run here, before waiting (after one more callbacks and timeouts pass).
      if (!this.isRunning) return this.finish()
      // 4. Handlers of targets found ready: by the poller, by a call on the socket, or still ready after
      //    their last handler (the zmq fd will not signal again for that).
      this.handlers.runReady()
    } finally {
      this.iterating = false
    }
    // 5. Wait for the poller or the next deadline.
    this.scheduleWait()
  }

  private runCallbacks(): void {
    if (this.callbacks.length === 0) return
    const batch = this.callbacks
    this.callbacks = []
    for (const queued of batch) this.runUserCode(queued.callback, queued.original, queued.args, queued.origin)
  }

  private runDueTimeouts(): void {
    for (const timeout of this.timeouts.takeDue(this.time())) {
      const callback = timeout.callback
      if (callback === null) continue // cancelled by an earlier timeout of this pass
      timeout.callback = null
      this.runUserCode(callback, timeout.original, timeout.args, timeout.origin)
    }
  }

  private runUserCode(
    callback: Function,
    original: Function,
    args: unknown[],
    origin: string | undefined,
  ): void {
    const started = this.blockingThreshold === null ? 0 : performance.now()
    try {
      const result: unknown = callback(...args)
      if (isThenable(result)) {
        result.then(undefined, (error: unknown) => this.handleCallbackException(original, error))
      }
    } catch (error) {
      this.handleCallbackException(original, error)
    }
    if (this.blockingThreshold !== null) this.checkBlocking(started, original, origin)
  }

  private checkBlocking(started: number, original: Function, origin: string | undefined): void {
    const took = performance.now() - started
    if (took <= this.blockingThreshold!) return
    const where = origin === undefined ? "" : `\nregistered at:\n${origin}`
    this.logger.warn(`IOLoop blocked for ${took.toFixed(1)} ms in ${describeCallback(original)}${where}`)
  }

  // ---- waiting ---------------------------------------------------------------------------------------------

  private isWaiting(): boolean {
    return this.isRunning && !this.iterating
  }

  private scheduleWait(): void {
    this.cancelWait()
    if (this.callbacks.length > 0 || this.handlers.anyReady || !this.isRunning) {
      this.waitImmediate = setImmediate(this.iterate)
      return
    }
    const deadline = this.timeouts.nextDeadline()
    if (deadline === undefined) return // the poller or a new callback wakes the loop
    this.waitTimerDeadline = deadline
    this.waitTimer = setTimeout(this.iterate, Math.max(0, Math.ceil(deadline - this.time())))
  }

  /**
   * Wakes a waiting loop for work that came from outside an iteration (a callback, a send, stop()). The
   * iteration runs as soon as the current job ends, as a microtask, instead of after Node's next poll phase:
   * a send queued from a recv callback then reaches libzmq one setImmediate hop sooner (~6-20 µs per
   * round trip here). Work still pending after an iteration waits for setImmediate, so I/O is not starved.
   */
  private wakeSoon(): void {
    if (this.waitImmediate !== undefined || this.wakeQueued) return
    this.wakeQueued = true
    queueMicrotask(this.wakeUp)
  }

  private readonly wakeUp = (): void => {
    if (this.wakeQueued) this.iterate() // else an iteration ran in between
  }

  private cancelWait(): void {
    if (this.waitImmediate !== undefined) {
      clearImmediate(this.waitImmediate)
      this.waitImmediate = undefined
    }
    if (this.waitTimer !== undefined) {
      clearTimeout(this.waitTimer)
      this.waitTimer = undefined
      this.waitTimerDeadline = Infinity
    }
  }

  private finish(): void {
    this.cancelWait()
    this.handlers.pause()
    clearInterval(this.keepAlive)
    this.keepAlive = undefined
    this.stopRequested = false
    IOLoop.currentLoop = this.previousCurrent
    this.previousCurrent = null
    const resolve = this.resolveStart
    this.resolveStart = undefined
    resolve?.()
  }

  private checkOpen(): void {
    if (this.isClosed) throw new Error("IOLoop is closed")
  }
}

function checkEvents(events: unknown): asserts events is number {
  if (typeof events !== "number" || !Number.isInteger(events)) {
    throw new TypeError(
      `events must be an integer of READ | WRITE | ERROR bits, got ${describeValue(events)}`,
    )
  }
  if ((events & ~ALL_EVENTS) !== 0 || events < 0) {
    throw new RangeError(
      `events must only hold READ | WRITE | ERROR bits (0x1d), got 0x${events.toString(16)}`,
    )
  }
}
