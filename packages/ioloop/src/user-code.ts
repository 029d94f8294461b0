import { performance } from "node:perf_hooks"
import { describeCallback, failureMessage, type CallbackSource, type LogSink } from "./logger.js"
import { isThenable } from "./validate.js"

/** Where the funnel sends errors: the loop's overridable `handleCallbackException`. */
export interface ErrorHandler {
  handleCallbackException(callback: Function, error: unknown, source?: CallbackSource): void
}

const NO_ARGS: unknown[] = []

/**
 * The one way user code runs on a loop (tornado `_run_callback`): queued callbacks, timeouts, handlers,
 * periodic and delayed callbacks, and every ZMQStream callback, wherever it is called from (an iteration,
 * a promise settlement, `close()`). It runs the callback (already wrapped in its stack contexts), hands a
 * throw or a rejection of the returned promise to `handleCallbackException`, and with a blocking-log
 * threshold set warns about a callback that held the loop too long. Nothing here ever throws: an error
 * handler or logger that fails is reported through the log sink, whose last resort is `console.error`.
 */
export class UserCodeRunner {
  /** ms, or `null` when the blocking log is off. */
  blockingThreshold: number | null = null

  constructor(
    private readonly errors: ErrorHandler,
    private readonly log: LogSink,
  ) {}

  /**
   * Runs `callback(...args)`; `original` (the callback as the user gave it) names it in log lines, `origin`
   * is the stack where it was registered (for the blocking log), `source` who registered it when not the
   * loop's API (for the error's log line). Returns the promise (thenable) the callback returned, whose
   * rejection is already handled, for a caller that waits for it (PeriodicCallback).
   */
  run(
    callback: Function,
    original: Function,
    args: unknown[] = NO_ARGS,
    origin?: string,
    source?: CallbackSource,
  ): PromiseLike<unknown> | undefined {
    const started = this.blockingThreshold === null ? 0 : performance.now()
    let pending: PromiseLike<unknown> | undefined
    try {
      const result: unknown = args.length === 0 ? callback() : callback(...args)
      if (isThenable(result)) {
        pending = result
        this.watch(result, original, source)
      }
    } catch (error) {
      this.fail(original, error, source)
    }
    if (this.blockingThreshold !== null) this.checkBlocking(started, original, origin)
    return pending
  }

  /** The stack of the caller's caller, captured only while the blocking log is on. */
  captureOrigin(): string | undefined {
    if (this.blockingThreshold === null) return undefined
    const stack = new Error().stack ?? ""
    return stack.split("\n").slice(3).join("\n")
  }

  /**
   * Hands `error` from `original` to `handleCallbackException`; if that throws, or returns a promise that
   * rejects (an async override), logs both.
   */
  fail(original: Function, error: unknown, source?: CallbackSource): void {
    const handlerFailed = (failure: unknown): void => {
      this.log.error(failureMessage(original, source), error)
      this.log.error("handleCallbackException failed", failure)
    }
    try {
      const result: unknown = this.errors.handleCallbackException(original, error, source)
      if (isThenable(result)) result.then(undefined, handlerFailed)
    } catch (failure) {
      handlerFailed(failure)
    }
  }

  private watch(result: PromiseLike<unknown>, original: Function, source: CallbackSource | undefined): void {
    try {
      result.then(undefined, (error: unknown) => this.fail(original, error, source))
    } catch (error) {
      this.fail(original, error, source) // a thenable whose then() throws
    }
  }

  private checkBlocking(started: number, original: Function, origin: string | undefined): void {
    const took = performance.now() - started
    if (took <= this.blockingThreshold!) return
    const where = origin === undefined ? "" : `\nregistered at:\n${origin}`
    this.log.warn(`IOLoop blocked for ${took.toFixed(1)} ms in ${describeCallback(original)}${where}`)
  }
}
