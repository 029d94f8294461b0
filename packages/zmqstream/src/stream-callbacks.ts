import type { Logger } from "@zmq-eventloop/ioloop"
import { checkFunction, isThenable } from "@zmq-eventloop/ioloop/internal"
import { wrap } from "@zmq-eventloop/stack-context"
import { toFrames } from "./frame.js"
import type { Part } from "./parts.js"

/** `null` for null/undefined, else the callback wrapped in the caller's stack contexts; TypeError otherwise. */
export function captureCallback(value: unknown): Function | null {
  if (value === null || value === undefined) return null
  checkFunction("callback", value)
  return wrap(value)
}

/**
 * A stream's user callbacks (recv, send, err, close) and how they are called: each already wrapped in the
 * stack contexts of its registration, called without building an argument array, and what it throws or its
 * returned promise rejects with is logged as `Uncaught exception in ZMQStream callback` (modern pyzmq
 * `_run_callback`: the stream stays open).
 */
export class StreamCallbacks {
  recv: Function | null = null
  recvWithStream = false
  recvCopy = true
  send: Function | null = null
  sendWithStream = false
  err: Function | null = null
  close: Function | null = null

  constructor(
    private readonly stream: object,
    private readonly logger: Logger,
  ) {}

  /** Hands one received message to the recv callback, as `Buffer[]` or `Frame[]`. */
  deliver(message: Buffer[]): void {
    const callback = this.recv
    if (callback === null) return
    const msg = this.recvCopy ? message : toFrames(message)
    if (this.recvWithStream) this.call(callback, 2, this.stream, msg)
    else this.call(callback, 1, msg)
  }

  /** A message was handed to libzmq (`status` undefined) or its send failed: per-send callback, then onSend. */
  sent(parts: Part[], callback: Function | null, status: Error | undefined): void {
    if (callback !== null) this.call(callback, 2, parts, status)
    const onSend = this.send
    if (onSend !== null) {
      if (this.sendWithStream) this.call(onSend, 3, this.stream, parts, status)
      else this.call(onSend, 2, parts, status)
    }
    if (status !== undefined) this.error(status, "ZMQStream send error")
  }

  /** `close()` could not hand `count` queued messages to libzmq: warn, and tell onErr. */
  unsent(count: number): void {
    const error = new Error(`close(): ${count} queued message${count === 1 ? "" : "s"} could not be sent`)
    this.logger.warn(`ZMQStream ${error.message}`)
    if (this.err !== null) this.call(this.err, 1, error)
  }

  /** Sends `error` to the onErr callback, or logs it with `what` when there is none. */
  error(error: Error, what: string): void {
    if (this.err !== null) this.call(this.err, 1, error)
    else this.logger.error(what, error)
  }

  /** Runs the close callback, if any. */
  closed(): void {
    if (this.close !== null) this.call(this.close, 0)
  }

  private call(callback: Function, arity: number, a?: unknown, b?: unknown, c?: unknown): void {
    try {
      const result: unknown =
        arity === 1
          ? callback(a)
          : arity === 2
            ? callback(a, b)
            : arity === 3
              ? callback(a, b, c)
              : callback()
      if (isThenable(result)) result.then(undefined, this.logError)
    } catch (error) {
      this.logError(error)
    }
  }

  private readonly logError = (error: unknown): void => {
    this.logger.error("Uncaught exception in ZMQStream callback", error)
  }
}
