import { checkFunction, errorCode, type LogSink, type UserCodeRunner } from "@zmq-eventloop/ioloop/internal"
import { wrap } from "@zmq-eventloop/stack-context"
import { toFrames } from "./receive/frame.js"
import { partsOf, type Part, type QueuedMessage } from "./send/parts.js"

/** A user callback as registered: wrapped in the caller's stack contexts, and where it came from. */
export class UserCallback {
  constructor(
    /** The callback wrapped in the stack contexts of its registration. */
    readonly wrapped: Function,
    /** The callback as given, for log lines and `handleCallbackException`. */
    readonly original: Function,
    /** Stack of the registration, kept only while the loop's blocking log is on. */
    readonly origin: string | undefined,
  ) {}
}

/**
 * A stream's user callbacks (recv, send, err, close) and how they are called: each runs through its loop's
 * one user-code funnel (the same as every callback and handler on that loop), so what it throws, or its
 * returned promise rejects with, goes to `IOLoop.handleCallbackException`, and the blocking log sees it,
 * wherever it is called from (a READ dispatch, a send's settlement, `close()`), by default logged as
 * `Uncaught exception in ZMQStream callback <name>`. The stream stays open (modern pyzmq `_run_callback`).
 */
export class StreamCallbacks {
  recv: UserCallback | null = null
  recvWithStream = false
  recvCopy = true
  send: UserCallback | null = null
  sendWithStream = false
  err: UserCallback | null = null
  drain: UserCallback | null = null
  close: UserCallback | null = null
  /** Set by the stream's `close()`: a message's send callbacks still to run then are not called. */
  private streamClosed = false

  constructor(
    private readonly stream: object,
    private readonly funnel: UserCodeRunner,
    private readonly log: LogSink,
  ) {}

  /** `null` for null/undefined, else the callback captured for later calls; TypeError otherwise. */
  capture(value: unknown): UserCallback | null {
    if (value === null || value === undefined) return null
    checkFunction("callback", value)
    return new UserCallback(wrap(value), value, this.funnel.captureOrigin())
  }

  /** Hands one received message to the recv callback, as `Buffer[]` or `Frame[]`. */
  deliver(message: Buffer[]): void {
    const callback = this.recv
    if (callback === null) return
    const msg = this.recvCopy ? message : toFrames(message)
    this.call(callback, this.recvWithStream ? [this.stream, msg] : [msg])
  }

  /**
   * `message` was handed to libzmq (`status` undefined) or its send failed: per-send callback, then onSend,
   * both given the same `[part, …]` array, made only when one of them is there.
   */
  sent(message: QueuedMessage, status: Error | undefined): void {
    let parts: Part[] | undefined
    if (message.callback !== null) this.call(message.callback, [(parts = partsOf(message)), status])
    const onSend = this.send
    // Each callback may close the stream, after which none of the others runs.
    if (onSend !== null && !this.streamClosed) {
      parts ??= partsOf(message)
      this.call(onSend, this.sendWithStream ? [this.stream, parts, status] : [parts, status])
    }
    // In one line without a stack, as pyzmq's `SEND Error: …`: the stack is zeromq.js's own, and the
    // message's callbacks were already told.
    if (status !== undefined && !this.streamClosed) this.error(status, "ZMQStream send error", false)
  }

  /** The stream is closing: from now on only `unsent` and `closed` call back. */
  streamClosing(): void {
    this.streamClosed = true
  }

  /** `close()` could not hand `count` queued messages to libzmq: warn, and tell onErr. */
  unsent(count: number): void {
    const error = new Error(`close(): ${count} queued message${count === 1 ? "" : "s"} could not be sent`)
    this.log.warn(`ZMQStream ${error.message}`)
    if (this.err !== null) this.call(this.err, [error])
  }

  /**
   * Sends `error` to the onErr callback, or logs it with `what` when there is none: with the Error (its
   * stack), or `withStack` false, in one line with its message and code.
   */
  error(error: Error, what: string, withStack = true): void {
    if (this.err !== null) this.call(this.err, [error])
    else if (withStack) this.log.error(what, error)
    else this.log.error(`${what}: ${describeError(error)}`)
  }

  /** The send queue emptied after a `send*()` found it full: the drain callback, if any. */
  drained(): void {
    if (this.drain !== null) this.call(this.drain, [])
  }

  /** Runs the close callback, if any. */
  closed(): void {
    if (this.close !== null) this.call(this.close, [])
  }

  private call(callback: UserCallback, args: unknown[]): void {
    this.funnel.run(callback.wrapped, callback.original, args, callback.origin, "ZMQStream")
  }
}

/** `Host unreachable (EHOSTUNREACH)`: an error's message, and its code where it has one. */
function describeError(error: Error): string {
  const code = errorCode(error)
  return typeof code === "string" ? `${error.message} (${code})` : error.message
}
