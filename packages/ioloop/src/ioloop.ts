import { performance } from "node:perf_hooks"
import { hasStackContext, NullContext, wrap } from "@zmq-eventloop/stack-context"
import { bindMethods } from "./bind-methods.js"
import { ALL_EVENTS, ERROR, MAX_TIMER_DELAY, NONE, READ, WRITE } from "./constants.js"
import { checkTarget, type Handler, type HandlerTarget } from "./handlers/handler-entry.js"
import { HandlerTable } from "./handlers/handler-table.js"
import {
  clearImmediate,
  clearInterval,
  clearTimeout,
  queueMicrotask,
  setImmediate,
  setInterval,
  setTimeout,
} from "./timers/host-timers.js"
import { runInExecutor, setDefaultExecutor } from "./add-ons/loop-executor.js"
import { LoopServices, registerServices } from "./loop-services.js"
import { runSync } from "./add-ons/run-sync.js"
import {
  checkLogger,
  debug,
  defaultLogger,
  describeCallback,
  failureMessage,
  LogSink,
  type CallbackSource,
  type Logger,
  type LoggerStyle,
} from "./logger.js"
import type { PollerKind } from "./pollers/poller.js"
import { scheduledCallOf, TimeoutQueue, type DueCalls, type Timeout } from "./timers/timeout-queue.js"
import { UserCodeRunner } from "./user-code.js"
import type { Executor } from "./add-ons/worker-pool.js"
import {
  checkFiniteNumber,
  checkFunction,
  checkOptionsObject,
  describeValue,
  isThenable,
} from "./validate.js"

/** Options of `new IOLoop()`. */
export interface IOLoopOptions {
  /**
   * `undefined` (default): become the current loop if there is none. `true`: become current, throwing if
   * another loop already is. `false`: become current only while running. (tornado `make_current`)
   */
  makeCurrent?: boolean
  /**
   * The clock for `time()` and every deadline, in milliseconds (not tornado's seconds). Default:
   * `performance.now()` (monotonic). Called once here, it must return a finite number; if it throws while
   * the loop runs, the run ends and `start()` rejects with its error.
   */
  timeFunc?: () => number
  /**
   * Where errors, warnings and debug lines go. Any object with `error`, `warn`, `info` and `debug` methods,
   * `console` for instance; checked here (a TypeError names what is missing). Default: {@link defaultLogger},
   * which writes errors and warnings to `console` and the rest only with `NODE_DEBUG=zmq-eventloop`.
   */
  logger?: Logger
  /**
   * How `logger` takes an Error: `"console"` calls `logger.error(message, error)`, `"object-first"` calls
   * `logger.error({ err: error }, message)` (pino, bunyan). Default: `"object-first"` for a logger that looks
   * like pino or bunyan, else `"console"`.
   */
  loggerStyle?: LoggerStyle
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

// A deadline this far ahead of time() is almost surely on the wrong clock: tornado's idiom
// `add_timeout(time.time() + 1, cb)` ported as `addTimeout(Date.now() + 1000, cb)` lands ~56 years out,
// because time() is performance.now() (ms since the process started). Ten years is no real timeout.
const IMPLAUSIBLE_DEADLINE_MS = 10 * 365.25 * 24 * 3600 * 1000

const IOLOOP_OPTIONS = ["makeCurrent", "timeFunc", "logger", "loggerStyle", "poller"] as const

// Iterations run as microtasks (wakeSoon) per turn of Node's event loop before the loop yields to libuv.
const MAX_MICROTASK_WAKES_PER_TURN = 16

/**
 * `callback` wrapped in the stack contexts active now, or `callback` itself when there are none: the loop
 * runs every iteration inside a `NullContext`, so an unwrapped callback sees no context either (isolation),
 * and skipping the wrapper saves an allocation per timeout (measured: 100k callLater, GC-bound).
 */
function capture<F extends Function>(callback: F): F {
  return hasStackContext() ? wrap(callback) : callback
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
  /** The loops started and not yet stopped (Node runs them side by side). */
  private static readonly runningLoops = new Set<IOLoop>()
  private static globalInstance: IOLoop | null = null

  /** The poller in use: `"fd"` (native watcher) or `"interval"` (timer fallback). */
  readonly pollerKind: PollerKind

  /** Where the loop (and the streams on it) write errors and warnings, as given in the options. */
  readonly logger: Logger
  private readonly timeFunc: (() => number) | undefined
  private readonly handlers: HandlerTable
  private readonly funnel: UserCodeRunner
  private readonly log: LogSink
  private readonly services: LoopServices
  private readonly timeouts = new TimeoutQueue()
  private callbacks: QueuedCallback[] = []

  private isRunning = false
  private stopRequested = false
  private iterating = false
  private waitTimer: NodeJS.Timeout | undefined
  private waitTimerDeadline = Infinity
  private waitImmediate: NodeJS.Immediate | undefined
  private wakeQueued = false
  private microtaskWakes = 0
  private keepAlive: NodeJS.Timeout | undefined
  private resolveStart: (() => void) | undefined
  private rejectStart: ((error: unknown) => void) | undefined
  private previousCurrent: IOLoop | null = null
  private warnedAboutClock = false

  /**
   * @throws TypeError for a bad option (naming it); Error when `makeCurrent` is true and another loop is
   * current, or `poller: "fd"` cannot load.
   */
  constructor(options: IOLoopOptions = {}) {
    checkOptionsObject("options", options, "an IOLoop option", IOLOOP_OPTIONS)
    const { makeCurrent, timeFunc, logger = defaultLogger, loggerStyle, poller = "auto" } = options
    if (makeCurrent !== undefined && typeof makeCurrent !== "boolean") {
      throw new TypeError(`options.makeCurrent must be a boolean, got ${describeValue(makeCurrent)}`)
    }
    if (timeFunc !== undefined) checkClock(timeFunc)
    checkLogger("options.logger", logger)
    if (loggerStyle !== undefined && loggerStyle !== "console" && loggerStyle !== "object-first") {
      throw new TypeError(
        `options.loggerStyle must be "console" or "object-first", got ${describeValue(loggerStyle)}`,
      )
    }
    if (!["auto", "fd", "interval"].includes(poller)) {
      throw new TypeError(`options.poller must be "auto", "fd" or "interval", got ${describeValue(poller)}`)
    }
    bindMethods(this)
    this.timeFunc = timeFunc
    this.logger = logger
    this.log = new LogSink(logger, loggerStyle)
    this.funnel = new UserCodeRunner(this, this.log)
    this.handlers = new HandlerTable(this.wakeUps, this.funnel, this.log, poller)
    this.pollerKind = this.handlers.pollerKind
    this.services = new LoopServices(this.funnel, this.log, this.handlers)
    registerServices(this, this.services)
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
    checkTarget(target)
    checkFunction("handler", handler)
    checkEvents(events)
    this.checkOpen()
    if (typeof target !== "number" && target.closed) throw new Error("addHandler: the socket is closed")
    this.handlers.add(target, capture(handler), handler, events, this.funnel.captureOrigin())
  }

  /**
   * Changes the events `target`'s handler is called for; readiness for events it adds is checked at once.
   * @throws TypeError / RangeError for a bad argument; Error if `target` is not registered.
   */
  updateHandler(target: HandlerTarget, events: number): void {
    checkTarget(target)
    checkEvents(events)
    this.handlers.update(target, events)
  }

  /**
   * Stops watching `target`; a no-op if it is not registered. A handler removed during an iteration is not
   * called later in that iteration.
   * @throws TypeError when `target` is neither a zmq socket nor a file descriptor.
   */
  removeHandler(target: HandlerTarget): void {
    checkTarget(target)
    this.handlers.remove(target)
  }

  // ---- timeouts and callbacks -----------------------------------------------------------------------------

  /**
   * Runs `callback(...args)` at `deadline`, an absolute time in ms on this loop's `time()` clock (monotonic,
   * ms since the process started unless `timeFunc` was given: not `Date.now()`; a deadline more than ten
   * years ahead of `time()` is warned about once). Equal deadlines run in the order added.
   * (tornado `add_timeout`)
   * @returns a handle for `removeTimeout`.
   * @throws TypeError for a bad argument; Error("IOLoop is closed").
   */
  addTimeout<A extends unknown[]>(deadline: number, callback: (...args: A) => unknown, ...args: A): Timeout {
    checkFiniteNumber("deadline", deadline, "ms on this loop's time()")
    return this.scheduleAt("addTimeout", deadline, callback, args)
  }

  /**
   * Runs `callback(...args)` at `when`, absolute ms on `time()`. Same as `addTimeout`. (tornado `call_at`)
   * @throws as `addTimeout`.
   */
  callAt<A extends unknown[]>(when: number, callback: (...args: A) => unknown, ...args: A): Timeout {
    checkFiniteNumber("when", when, "ms on this loop's time()")
    return this.scheduleAt("callAt", when, callback, args)
  }

  /**
   * Runs `callback(...args)` after `delay` ms. (tornado `call_later`)
   * @throws as `addTimeout`.
   */
  callLater<A extends unknown[]>(delay: number, callback: (...args: A) => unknown, ...args: A): Timeout {
    checkFiniteNumber("delay", delay)
    const now = this.time()
    // A timeFunc gone wrong (NaN): a NaN deadline never fired and scrambled the order of the others.
    if (!Number.isFinite(now))
      throw new RangeError(`callLater: loop.time() returned ${now}, not a finite number`)
    return this.schedule(now + delay, callback, args)
  }

  private scheduleAt(caller: string, deadline: number, callback: unknown, args: unknown[]): Timeout {
    if (!this.warnedAboutClock && deadline - this.time() > IMPLAUSIBLE_DEADLINE_MS) {
      this.warnedAboutClock = true
      const years = ((deadline - this.time()) / (365.25 * 24 * 3600 * 1000)).toFixed(0)
      this.log.warn(
        `IOLoop.${caller}: the deadline is ${years} years after loop.time(); time() is monotonic ms ` +
          "(performance.now()), not Date.now(): use loop.time() + delay, or callLater(delay)",
      )
    }
    return this.schedule(deadline, callback, args)
  }

  private schedule(deadline: number, callback: unknown, args: unknown[]): Timeout {
    checkFunction("callback", callback)
    this.checkOpen()
    const timeout = this.timeouts.add(
      deadline,
      capture(callback),
      callback,
      args.length === 0 ? NO_ARGS : args,
      this.funnel.captureOrigin(),
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

  /**
   * Cancels a timeout; harmless if it already ran or was removed. A timeout of another loop is cancelled
   * in that loop, as tornado does. (tornado `remove_timeout`)
   */
  removeTimeout(timeout: Timeout): void {
    const call = scheduledCallOf(timeout)
    if (call === undefined) {
      throw new TypeError(`timeout must be a Timeout returned by addTimeout, got ${describeValue(timeout)}`)
    }
    call.cancel()
  }

  /**
   * Runs `callback(...args)` on the next iteration (callbacks run first-in, first-out); callable from
   * anywhere, including outside the loop. After `close()` the callback is dropped, as tornado drops it (a
   * late settlement or event may still try to schedule work on a closed loop). (tornado `add_callback`)
   */
  addCallback<A extends unknown[]>(callback: (...args: A) => unknown, ...args: A): void {
    checkFunction("callback", callback)
    this.enqueue(capture(callback), callback, args.length === 0 ? NO_ARGS : args)
  }

  /**
   * Like `addCallback`, but the callback runs without the caller's stack contexts (for work that should
   * not inherit them). (tornado `spawn_callback`)
   */
  spawnCallback<A extends unknown[]>(callback: (...args: A) => unknown, ...args: A): void {
    checkFunction("callback", callback)
    this.enqueue(callback, callback, args.length === 0 ? NO_ARGS : args) // iterations run in a NullContext
  }

  /**
   * `addCallback` for a signal listener (`process.on("SIGTERM", …)`): the callback runs without stack
   * contexts. A plain `addCallback` there could capture the wrong ones: Node runs every listener of a
   * signal in the async context that was current when the process began to listen for it (its signal
   * handle's), so once the first listener of a signal was added inside a `StackContext`, the callbacks that
   * any listener of it adds get that context and its exception handler. A callback already wrapped keeps
   * its own contexts.
   * (tornado `add_callback_from_signal`)
   */
  addCallbackFromSignal<A extends unknown[]>(callback: (...args: A) => unknown, ...args: A): void {
    this.spawnCallback(callback, ...args)
  }

  private enqueue(callback: Function, original: Function, args: unknown[]): void {
    if (this.services.closed) {
      // tornado ≥ 4.5 returns silently here (PollIOLoop, and AsyncIOLoop "for consistency with PollIOLoop")
      debug("a callback added after close() is dropped: %s", describeCallback(original))
      return
    }
    this.callbacks.push({ callback, original, args, origin: this.funnel.captureOrigin() })
    if (this.isWaiting()) this.wakeSoon()
  }

  /**
   * Runs `fn(...args)` on `executor`, by default (`null`) the loop's own `WorkerPool`, made at first
   * use and shut down by `close()`; the promise can go to `addPromise`. Off the loop's thread, so `fn` must
   * be self-contained and `args` structured-cloneable (see WorkerPool). (tornado `run_in_executor`)
   * @throws TypeError for an executor that is not an Executor or null, or an `fn` the executor refuses;
   *   Error if the loop is closed.
   */
  runInExecutor<A extends unknown[], R>(
    executor: Executor | null | undefined,
    fn: (...args: A) => R,
    ...args: A
  ): Promise<Awaited<R>> {
    this.checkOpen()
    return runInExecutor(this, executor, fn, args)
  }

  /**
   * Makes `executor` the one `runInExecutor(null, …)` uses; the loop shuts it down when it closes, as it
   * would its own. (tornado `set_default_executor`)
   * @throws TypeError when `executor` is not an Executor; Error if the loop is closed.
   */
  setDefaultExecutor(executor: Executor): void {
    this.checkOpen()
    setDefaultExecutor(this, executor)
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
      if (!this.services.closed) this.enqueue(wrapped, callback, [settled])
    }
    settled.then(queue, queue)
  }

  /**
   * Starts the loop, runs `fn` on it, and stops the loop when `fn`'s result (a value or a promise) is
   * settled. Resolves to that value or rejects with its error; with `options.timeout` (ms) rejects with a
   * `TimeoutError` if it takes longer (`null`, as tornado's `None`: no timeout). (tornado `run_sync`)
   */
  runSync<T>(fn: () => T | PromiseLike<T>, options: { timeout?: number | null } = {}): Promise<T> {
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
    IOLoop.runningLoops.add(this)
    this.keepAlive = setInterval(() => {}, MAX_TIMER_DELAY)
    this.handlers.resume()
    this.wakeSoon()
    return new Promise((resolve, reject) => {
      this.resolveStart = resolve
      this.rejectStart = reject
    })
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
   * Releases the loop: closes the ZMQStreams on it (each hands what it can of its queue to libzmq and reports
   * the rest, as `stream.close()` does), unregisters every other handler (closing the sockets, or the fds,
   * too when `allFds`), drops pending callbacks and timeouts. Call it after `start()` has resolved; later
   * `add*` calls, and sends on its streams, throw `Error("IOLoop is closed")`, except `addCallback` and
   * `spawnCallback`, which drop the callback (as tornado's `add_callback` does). A second call does nothing.
   * @throws TypeError for a non-boolean `allFds`; Error if the loop is running.
   */
  close(allFds = false): void {
    if (typeof allFds !== "boolean") {
      throw new TypeError(`allFds must be a boolean, got ${describeValue(allFds)}`)
    }
    if (this.isRunning) throw new Error("IOLoop is running: stop it and wait for start() before close()")
    if (this.services.closed) return
    this.services.closed = true
    for (const listener of [...this.services.closeListeners]) {
      this.funnel.run(listener, listener)
    }
    this.services.closeListeners.clear()
    this.handlers.close(allFds)
    this.timeouts.clear()
    this.callbacks = []
    if (IOLoop.currentLoop === this) IOLoop.currentLoop = null
    if (IOLoop.globalInstance === this) IOLoop.globalInstance = null
  }

  /** The loop's clock in milliseconds: monotonic `performance.now()` unless `timeFunc` was given. */
  time(): number {
    return this.timeFunc === undefined ? performance.now() : this.timeFunc()
  }

  /**
   * Called with any error user code on this loop threw (or its returned promise rejected with): callbacks,
   * timeouts, handlers, periodic and delayed callbacks, and the callbacks of the ZMQStreams on this loop.
   * Logs `Exception in callback <name>` with the error through the logger (in the logger's convention, see
   * `IOLoopOptions.loggerStyle`), or, when `source` is `"ZMQStream"` (a stream's callback), pyzmq's
   * `Uncaught exception in ZMQStream callback <name>`; override it (on a subclass or the instance) to do
   * more. If the override throws, both errors are logged and the loop carries on.
   */
  handleCallbackException(callback: Function, error: unknown, source?: CallbackSource): void {
    this.log.error(failureMessage(callback, source), error)
  }

  /**
   * Warns `IOLoop blocked for <n> ms in <name>` with the stack where the callback was registered, after
   * any piece of user code (callback, timeout, handler, stream callback) that ran longer than `ms`; `null`
   * turns it off. Stacks are captured
   * only while a threshold is set. (tornado `set_blocking_log_threshold`, in ms)
   */
  setBlockingLogThreshold(ms: number | null): void {
    if (ms !== null) {
      checkFiniteNumber("ms", ms)
      if (ms < 0) throw new RangeError(`ms must be >= 0 (or null to turn the log off), got ${ms}`)
    }
    this.funnel.blockingThreshold = ms
  }

  // ---- one iteration ---------------------------------------------------------------------------------------

  // Every iteration runs with the stack-context stack emptied, whatever context the Node callback that
  // woke the loop inherited: callbacks then see only the contexts they captured.
  // User code runs through the funnel and never throws out of an iteration; what does is the loop's own
  // failure (a `timeFunc` that throws): the run ends there, and `start()` rejects with it.
  // And with this loop current: Node runs several started loops side by side, and a callback's
  // `IOLoop.current()` (which a PeriodicCallback made there binds) must be its own loop, as in tornado.
  private readonly iterate = (): void => {
    const outside = IOLoop.currentLoop
    IOLoop.currentLoop = this
    try {
      nullContext.run(this.runIteration)
    } catch (error) {
      this.isRunning = false
      this.finish({ error })
    } finally {
      // Unless the iteration changed it (makeCurrent, clearCurrent, the run's end).
      if (IOLoop.currentLoop === this && this.resolveStart !== undefined) IOLoop.currentLoop = outside
    }
  }

  private readonly runIteration = (): void => {
    this.wakeQueued = false
    this.cancelWait()
    this.iterating = true
    try {
      // 1. Timeouts due now, collected before anything runs (tornado 4.5): one that a callback or timeout of
      //    this iteration schedules waits for the next, after the callbacks queued meanwhile.
      const due = this.timeouts.takeDue(this.time())
      // 2. Callbacks queued before this point; the ones they queue wait for the next iteration.
      this.runCallbacks()
      // 3. The due timeouts, but those a callback cancelled.
      this.runTimeouts(due)
      // 4. A stop() ends the run here, before waiting (after one more callbacks and timeouts pass).
      if (!this.isRunning) return this.finish()
      // 5. Handlers of targets found ready: by the poller, by a call on the socket, or still ready after
      //    their last handler (the zmq fd will not signal again for that).
      this.handlers.runReady()
    } finally {
      this.iterating = false
    }
    // 6. Wait for the poller or the next deadline.
    this.scheduleWait()
  }

  private runCallbacks(): void {
    if (this.callbacks.length === 0) return
    const batch = this.callbacks
    this.callbacks = []
    for (const queued of batch) this.funnel.run(queued.callback, queued.original, queued.args, queued.origin)
  }

  private runTimeouts({ calls, callbacks }: DueCalls): void {
    for (let index = 0; index < calls.length; index++) {
      const timeout = calls[index]!
      if (!timeout.takenOut) continue // cancelled since it was taken out
      timeout.callback = null
      const callback = callbacks[index]!
      const extras = timeout.extras
      if (extras === undefined) this.funnel.run(callback, callback)
      else this.funnel.run(callback, extras.original, extras.args, extras.origin)
    }
  }

  // ---- waiting ---------------------------------------------------------------------------------------------

  // How the handler table wakes the loop (LoopWakeUps).
  private readonly wakeUps = {
    pollerWoke: (): void => {
      if (this.isWaiting()) this.iterate()
    },
    entryMarked: (): void => {
      if (this.isWaiting()) this.wakeSoon()
    },
  }

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
    // Node fires a longer delay after 1 ms: arm at most MAX_TIMER_DELAY ahead, and an iteration that finds
    // nothing due simply arms again.
    const delay = Math.min(MAX_TIMER_DELAY, Math.max(0, Math.ceil(deadline - this.time())))
    this.waitTimer = setTimeout(this.iterate, delay)
  }

  /**
   * Wakes a waiting loop for work that came from outside an iteration (a callback, a send, stop()). The
   * iteration runs as soon as the current job ends, as a microtask, instead of after Node's next poll phase:
   * a send queued from a recv callback then reaches libzmq one setImmediate hop sooner (~6-20 µs per
   * round trip here). Work still pending after an iteration waits for setImmediate, so I/O is not starved.
   */
  private wakeSoon(): void {
    if (this.waitImmediate !== undefined || this.wakeQueued) return
    // Bounded: code that keeps queueing work from promise continuations (an `await` per send, with sends
    // that settle at once on the native data path) would otherwise chain iterations as microtasks forever,
    // and libuv would never poll: other sockets' fd watchers would starve. Past the bound, wait for the
    // next turn of Node's loop.
    if (this.microtaskWakes >= MAX_MICROTASK_WAKES_PER_TURN) {
      this.waitImmediate = setImmediate(this.iterate)
      return
    }
    if (this.microtaskWakes++ === 0) setImmediate(this.newTurn)
    this.wakeQueued = true
    queueMicrotask(this.wakeUp)
  }

  private readonly newTurn = (): void => {
    this.microtaskWakes = 0
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

  /** Ends the run: `start()`'s promise resolves, or rejects with `failure.error` when one is given. */
  private finish(failure?: { error: unknown }): void {
    this.cancelWait()
    this.handlers.pause()
    clearInterval(this.keepAlive)
    this.keepAlive = undefined
    this.stopRequested = false
    // Loops need not stop in the reverse order of their starts: a loop started after this one hands back
    // what was current before this one, not this stopped loop.
    IOLoop.runningLoops.delete(this)
    for (const other of IOLoop.runningLoops)
      if (other.previousCurrent === this) other.previousCurrent = this.previousCurrent
    if (IOLoop.currentLoop === this) IOLoop.currentLoop = this.previousCurrent
    this.previousCurrent = null
    const [resolve, reject] = [this.resolveStart, this.rejectStart]
    this.resolveStart = this.rejectStart = undefined
    if (failure === undefined) resolve?.()
    else reject?.(failure.error)
  }

  private checkOpen(): void {
    if (this.services.closed) throw new Error("IOLoop is closed")
  }
}

/** Checks `options.timeFunc` by calling it once: a TypeError unless it gives a finite number of ms. */
function checkClock(timeFunc: unknown): void {
  checkFunction("options.timeFunc", timeFunc)
  const now: unknown = timeFunc()
  if (typeof now !== "number" || !Number.isFinite(now)) {
    throw new TypeError(`options.timeFunc must return a finite number of ms, got ${describeValue(now)}`)
  }
}

function checkEvents(events: unknown): asserts events is number {
  if (typeof events !== "number" || !Number.isInteger(events)) {
    throw new TypeError(
      `events must be an integer of READ | WRITE | ERROR bits, got ${describeValue(events)}`,
    )
  }
  // Compare as numbers first: a bitwise test alone truncates to 32 bits (2 ** 53 & x is 0).
  if (events < 0 || events > ALL_EVENTS || (events & ~ALL_EVENTS) !== 0) {
    throw new RangeError(
      `events must only hold READ | WRITE | ERROR bits (0x1d), got ${describeValue(events)}`,
    )
  }
}
