import { checkFunction, describeValue } from "@zmq-eventloop/ioloop/internal"

/** One part of an outgoing message; strings are sent as UTF-8. */
export type Part = Buffer | Uint8Array | ArrayBuffer | string

/**
 * Options of `send*()`. `callback` is called as `callback(msg, status)` once this message was handed to
 * libzmq (or failed), before `onSend`'s callback; every other key (`routingId`, `group` for the draft
 * SERVER/RADIO sockets, …) is passed to zeromq.js's `socket.send(parts, options)` as is (pyzmq's `**kwargs`).
 */
export interface SendOptions {
  callback?: ((msg: Part[], status: unknown) => unknown) | null
  routingId?: number
  group?: string | Buffer
  [option: string]: unknown
}

/** A validated message waiting in the send queue. */
export interface QueuedMessage {
  readonly parts: Part[]
  /** Options for zeromq.js's `send`, or `undefined` when there are none (most sockets take no second argument). */
  readonly sendOptions: object | undefined
  /** The per-send callback, wrapped in the caller's stack contexts, or null. */
  readonly callback: Function | null
}

function isPart(value: unknown): value is Part {
  return typeof value === "string" || value instanceof Uint8Array || value instanceof ArrayBuffer
}

/** Throws `TypeError("<name> must be a Buffer, Uint8Array, ArrayBuffer or string, got …")` for a bad part. */
export function checkPart(name: string, value: unknown): asserts value is Part {
  if (!isPart(value)) {
    throw new TypeError(
      `${name} must be a Buffer, Uint8Array, ArrayBuffer or string, got ${describeValue(value)}`,
    )
  }
}

/**
 * Checks `parts` and copies the array (so a later change to the caller's array cannot send something
 * unchecked). @throws TypeError naming the bad index.
 */
export function checkParts(parts: unknown): Part[] {
  if (!Array.isArray(parts)) throw new TypeError(`parts must be an array, got ${describeValue(parts)}`)
  if (parts.length === 0) throw new TypeError("parts must hold at least one part, got []")
  const copy = new Array<Part>(parts.length)
  for (let i = 0; i < parts.length; i++) {
    const part: unknown = parts[i]
    checkPart(`parts[${i}]`, part)
    copy[i] = part
  }
  return copy
}

/** Splits `send*()` options into the per-send callback and what goes to zeromq.js. @throws TypeError */
export function splitSendOptions(
  options: unknown,
  own: readonly string[] = [],
): { callback: Function | null; sendOptions: object | undefined } {
  if (options === undefined) return { callback: null, sendOptions: undefined }
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`options must be an object, got ${describeValue(options)}`)
  }
  let callback: Function | null = null
  let sendOptions: Record<string, unknown> | undefined
  for (const [key, value] of Object.entries(options)) {
    if (key === "callback") {
      if (value !== null && value !== undefined) {
        checkFunction("options.callback", value)
        callback = value
      }
    } else if (!own.includes(key) && value !== undefined) {
      ;(sendOptions ??= {})[key] = value
    }
  }
  return { callback, sendOptions }
}
