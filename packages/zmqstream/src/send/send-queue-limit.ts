import { checkOptionsObject, describeValue } from "@zmq-eventloop/ioloop/internal"

/**
 * What a stream does with a message sent while its queue is at the limit: `"accept"` queues it anyway and
 * `send*()` returns `false` (Node's `writable.write()`); `"refuse"` does not queue it and reports a
 * {@link SendQueueFullError} through its callbacks.
 */
export type WhenQueueFull = "accept" | "refuse"

/** A bound on a stream's send queue; `Infinity` (the default) means none, as in pyzmq. */
export interface SendQueueLimit {
  /** Messages queued (the one being handed to libzmq included). */
  readonly maxMessages: number
  /** Bytes queued: the sum of every queued part's length, strings counted as UTF-8. */
  readonly maxBytes: number
  readonly whenFull: WhenQueueFull
}

/** Any subset of a {@link SendQueueLimit}, for the constructor and `setSendQueueLimit()`. */
export type SendQueueLimitOptions = Partial<SendQueueLimit>

/** pyzmq's queue: unbounded. */
export const UNBOUNDED: SendQueueLimit = Object.freeze({
  maxMessages: Infinity,
  maxBytes: Infinity,
  whenFull: "accept",
})

/**
 * The status a refused message is reported with, through its per-send callback, `onSend` and `onErr` (or the
 * log): the stream's queue was at its limit and `whenFull` is `"refuse"`. Nothing was handed to libzmq.
 */
export class SendQueueFullError extends Error {
  readonly code = "ERR_SEND_QUEUE_FULL"

  constructor(limit: SendQueueLimit) {
    const bounds = [
      limit.maxMessages === Infinity ? "" : `${limit.maxMessages} messages`,
      limit.maxBytes === Infinity ? "" : `${limit.maxBytes} bytes`,
    ].filter((bound) => bound !== "")
    super(`send queue full (limit ${bounds.join(" or ")}): message refused, not sent`)
    this.name = "SendQueueFullError"
  }
}

const KEYS = ["maxMessages", "maxBytes", "whenFull"]

/**
 * `current` with what `options` sets. @throws TypeError for a non-object, an unknown key or a bad
 * `whenFull`; RangeError for a bound that is not an integer >= 1 or Infinity (nothing changes then).
 */
export function applySendQueueLimit(current: SendQueueLimit, options: unknown, name: string): SendQueueLimit {
  checkOptionsObject(name, options, "a send queue limit", KEYS)
  const { maxMessages, maxBytes, whenFull } = options as SendQueueLimitOptions
  if (whenFull !== undefined && whenFull !== "accept" && whenFull !== "refuse") {
    throw new TypeError(`${name}.whenFull must be "accept" or "refuse", got ${describeValue(whenFull)}`)
  }
  return Object.freeze({
    maxMessages:
      maxMessages === undefined ? current.maxMessages : checkBound(`${name}.maxMessages`, maxMessages),
    maxBytes: maxBytes === undefined ? current.maxBytes : checkBound(`${name}.maxBytes`, maxBytes),
    whenFull: whenFull ?? current.whenFull,
  })
}

function checkBound(name: string, value: unknown): number {
  if (typeof value !== "number") throw new TypeError(`${name} must be a number, got ${describeValue(value)}`)
  if (value !== Infinity && !(Number.isInteger(value) && value >= 1)) {
    throw new RangeError(`${name} must be an integer >= 1 or Infinity, got ${describeValue(value)}`)
  }
  return value
}

/** Whether a queue of `messages` holding `bytes` is below `limit`: room for one more. */
export function belowLimit(limit: SendQueueLimit, messages: number, bytes: number): boolean {
  return messages < limit.maxMessages && bytes < limit.maxBytes
}
