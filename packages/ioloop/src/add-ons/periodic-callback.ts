import { bindMethods } from "../bind-methods.js"
import { IOLoop } from "../ioloop.js"
import { servicesOf } from "../loop-services.js"
import type { Timeout } from "../timers/timeout-queue.js"
import { checkFiniteNumber, checkFunction, checkOptionsObject, describeValue } from "../validate.js"

/**
 * Calls `callback` every `callbackTime` ms on an IOLoop, the first time one period after `start()`.
 * The schedule stays aligned to `start + k × period`: a callback that overruns skips the missed slots (the
 * next call is the first slot strictly after it ended), and a clock that goes backwards still advances one
 * period. `jitter` (0–1) varies each period by ±jitter/2. The callback runs through the loop's funnel like
 * any timeout: errors go to `handleCallbackException`, and the blocking log names it. Its methods work
 * detached (`loop.addCallback(periodic.stop)`). (tornado ≥ 6.2 `PeriodicCallback`, ms as in tornado)
 *
 * A callback that returns a promise (an `async` function) is awaited before the next call is scheduled, so
 * calls never overlap, and a call counts as ended when its promise settles (rejections are logged like
 * throws): with a 10 ms period, calls that take 25 ms start at 10, 40, 70 ms. A promise that never settles
 * stops the calls. (tornado ≤ 6.1 and pyzmq's own copy scheduled at the call and let calls overlap.)
 */
export class PeriodicCallback {
  private readonly callback: () => unknown
  private period: number
  private jitterFraction: number
  private readonly boundLoop: IOLoop | null
  private loop: IOLoop | null = null
  private running = false
  /** A call's promise has not settled yet: its end schedules the next call. */
  private callPending = false
  private nextTimeout = 0
  private timeout: Timeout | null = null

  /**
   * tornado ≥ 5's form (`PeriodicCallback(cb, ms, jitter)`: tornado 5 dropped the loop argument); the loop
   * is `IOLoop.current()` at `start()`.
   * @param callbackTime - the period in ms, > 0.
   * @param jitter - a fraction of the period, 0–1, by which each call's time varies.
   * @throws TypeError for a non-function callback or a non-number period or jitter; RangeError for a period
   * ≤ 0 or a jitter outside 0–1.
   */
  constructor(callback: () => unknown, callbackTime: number, jitter: number)
  /**
   * @param callbackTime - the period in ms, > 0.
   * @param ioLoop - the loop to run on; by default `IOLoop.current()` at `start()`.
   * @throws TypeError for a non-function callback, a non-number period, options that are not an object or a
   * non-number jitter; RangeError for a period ≤ 0 or jitter outside 0–1.
   */
  constructor(
    callback: () => unknown,
    callbackTime: number,
    ioLoop?: IOLoop | null,
    options?: { jitter?: number },
  )
  constructor(
    callback: () => unknown,
    callbackTime: number,
    ioLoopOrJitter?: IOLoop | null | number,
    options?: { jitter?: number },
  ) {
    checkFunction("callback", callback)
    const period = checkPeriod("callbackTime", callbackTime)
    const { ioLoop, jitter, jitterName } = loopAndJitter(ioLoopOrJitter, options)
    const jitterFraction = checkJitter(jitterName, jitter)
    if (ioLoop != null && !(ioLoop instanceof IOLoop)) {
      throw new TypeError(`ioLoop must be an IOLoop, got ${describeValue(ioLoop)}`)
    }
    bindMethods(this)
    this.callback = callback
    this.period = period
    this.jitterFraction = jitterFraction
    this.boundLoop = ioLoop ?? null
  }

  /**
   * The period in ms, > 0. Set it to change the period from the next call's scheduling on, as a heartbeat
   * that backs off does (the call already scheduled keeps its time). (tornado `callback_time`)
   * @throws TypeError for a non-number; RangeError for a period ≤ 0 (nothing changes).
   */
  get callbackTime(): number {
    return this.period
  }

  set callbackTime(value: number) {
    this.period = checkPeriod("callbackTime", value)
  }

  /**
   * The fraction of the period, 0–1, by which each call's time varies; settable like {@link callbackTime}.
   * (tornado `jitter`) @throws TypeError for a non-number; RangeError outside 0–1 (nothing changes).
   */
  get jitter(): number {
    return this.jitterFraction
  }

  set jitter(value: number) {
    this.jitterFraction = checkJitter("jitter", value)
  }

  /**
   * Starts calling; a no-op while already running (the rate never doubles). Started again while a call's
   * promise is pending, the next call is scheduled when that call ends.
   */
  start(): void {
    if (this.running) return
    this.loop = this.boundLoop ?? IOLoop.current()
    this.running = true
    this.nextTimeout = this.loop.time()
    if (!this.callPending) this.scheduleNext()
  }

  /** Stops calling; the pending call is cancelled (a call in progress runs to its end). */
  stop(): void {
    this.running = false
    if (this.timeout !== null) {
      this.loop!.removeTimeout(this.timeout)
      this.timeout = null
    }
  }

  /** Whether it is started. */
  isRunning(): boolean {
    return this.running
  }

  private readonly run = (): void => {
    this.timeout = null
    if (!this.running) return
    // Pending while it runs too: a stop() and start() inside the call schedule nothing, its end does (a
    // second chain ran beside the first).
    this.callPending = true
    const pending = servicesOf(this.loop!).funnel.run(this.callback, this.callback)
    if (pending === undefined) return this.callEnded()
    // Promise.resolve adopts the thenable without a throwing then() escaping; the funnel logged a rejection.
    Promise.resolve(pending).then(this.callEnded, this.callEnded)
  }

  private readonly callEnded = (): void => {
    this.callPending = false
    if (!servicesOf(this.loop!).closed) this.scheduleNext()
  }

  private scheduleNext(): void {
    if (!this.running) return
    const now = this.loop!.time()
    const period = this.period * (1 + this.jitterFraction * (Math.random() - 0.5))
    if (this.nextTimeout <= now) {
      this.nextTimeout += (Math.floor((now - this.nextTimeout) / period) + 1) * period
    } else {
      this.nextTimeout += period // the clock went backwards: still move on by one period
    }
    this.timeout = this.loop!.addTimeout(this.nextTimeout, this.run)
  }
}

function checkPeriod(name: string, value: unknown): number {
  checkFiniteNumber(name, value)
  if (value <= 0) throw new RangeError(`${name} must be positive, got ${value}`)
  return value
}

function checkJitter(name: string, value: unknown): number {
  checkFiniteNumber(name, value, "fraction of the period")
  if (value < 0 || value > 1) throw new RangeError(`${name} must be within 0–1, got ${value}`)
  return value
}

/** The constructor's two forms, `(…, jitter)` (tornado ≥ 5) and `(…, ioLoop?, { jitter? }?)`, as one. */
function loopAndJitter(
  ioLoopOrJitter: IOLoop | null | number | undefined,
  options: { jitter?: number } | undefined,
): { ioLoop: IOLoop | null | undefined; jitter: unknown; jitterName: string } {
  if (typeof ioLoopOrJitter === "number") {
    if (options !== undefined) {
      throw new TypeError("options must be left out when the jitter is given third (tornado ≥ 5's form)")
    }
    return { ioLoop: null, jitter: ioLoopOrJitter, jitterName: "jitter" }
  }
  const given = options === undefined ? {} : options
  checkOptionsObject("options", given, "a PeriodicCallback option", ["jitter"])
  return {
    ioLoop: ioLoopOrJitter,
    jitter: given.jitter === undefined ? 0 : given.jitter,
    jitterName: "options.jitter",
  }
}
