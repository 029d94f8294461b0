import { bindMethods } from "../bind-methods.js"
import { IOLoop } from "../ioloop.js"
import { servicesOf } from "../loop-services.js"
import type { Timeout } from "../timers/timeout-queue.js"
import { checkFiniteNumber, checkFunction, describeValue } from "../validate.js"

/**
 * Calls `callback` once, `callbackTime` ms after `start()`; `stop()` before then cancels it, and `start()`
 * again after it fired arms it again. (pyzmq `DelayedCallback`, deprecated there in favour of
 * `loop.callLater`, which is what it uses.) The callback runs through the loop's funnel; the methods work
 * detached (`new DelayedCallback(stream.close, 100)`).
 */
export class DelayedCallback {
  private readonly callback: () => unknown
  private readonly callbackTime: number
  private readonly boundLoop: IOLoop | null
  private loop: IOLoop | null = null
  private timeout: Timeout | null = null

  /**
   * @param callbackTime - the delay in ms, ≥ 0.
   * @param ioLoop - the loop to run on; by default `IOLoop.current()` at `start()`.
   * @throws TypeError for a non-function callback or a non-number delay; RangeError for a negative delay.
   */
  constructor(callback: () => unknown, callbackTime: number, ioLoop?: IOLoop | null) {
    checkFunction("callback", callback)
    checkFiniteNumber("callbackTime", callbackTime)
    if (callbackTime < 0) throw new RangeError(`callbackTime must not be negative, got ${callbackTime}`)
    if (ioLoop != null && !(ioLoop instanceof IOLoop)) {
      throw new TypeError(`ioLoop must be an IOLoop, got ${describeValue(ioLoop)}`)
    }
    bindMethods(this)
    this.callback = callback
    this.callbackTime = callbackTime
    this.boundLoop = ioLoop ?? null
  }

  /** Arms the call; a no-op while it is already pending. */
  start(): void {
    if (this.timeout !== null) return
    this.loop = this.boundLoop ?? IOLoop.current()
    this.timeout = this.loop.callLater(this.callbackTime, this.run)
  }

  /** Cancels the pending call, if any. */
  stop(): void {
    if (this.timeout === null) return
    this.loop!.removeTimeout(this.timeout)
    this.timeout = null
  }

  /** Whether the call is pending. */
  isRunning(): boolean {
    return this.timeout !== null
  }

  private readonly run = (): void => {
    this.timeout = null
    servicesOf(this.loop!).funnel.run(this.callback, this.callback)
  }
}
