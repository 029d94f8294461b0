import { types } from "node:util"
import { checkFunction, describeValue } from "@zmq-eventloop/ioloop/internal"
import { DONTWAIT, SNDMORE, ZMQ_RADIO, ZMQ_SERVER } from "../constants.js"
import { undefinedFlagError } from "../flag-arguments.js"
import { isReceivedFrame, type Frame } from "../receive/frame.js"
import { checkWellFormed } from "../serialization/text.js"
import type { UserCallback } from "../stream-callbacks.js"

/**
 * One part of an outgoing message: bytes (a Buffer, the bytes of any typed array, an ArrayBuffer) or a string,
 * sent as UTF-8. A typed array goes as the bytes of its view, as pyzmq sends any buffer (a numpy array) and
 * zeromq.js any typed array: `stream.send(new Float64Array(values))`. A DataView is refused, as zeromq.js
 * refuses it.
 */
export type Part = Buffer | NodeJS.TypedArray | ArrayBuffer | string

/**
 * A part as `send()`/`sendMultipart()` take it: also a `Frame` from `onRecv(cb, { copy: false })`, sent as its
 * `buffer` (pyzmq's `send_multipart` takes the `zmq.Frame`s it received, and forwarders pass them on as they are).
 */
export type SendablePart = Part | Frame

/**
 * Options of `send*()`. `callback` is called as `callback(msg, status)` once this message was handed to
 * libzmq (or failed), before `onSend`'s callback. `flags` takes zmq's `SNDMORE` (more parts follow: the stream
 * holds them until a send without it) and `DONTWAIT` (implied: a stream never blocks). `copy: true` copies
 * the parts' bytes at the call, so the caller may change its buffers as soon as `send*()` returns, as after
 * pyzmq's `send(copy=True)`; without it the stream holds the caller's buffers, and on the main thread a part
 * of 32 KiB or more goes to libzmq without a copy (README "Data paths"). `routingId` (SERVER sockets) and
 * `group` (RADIO sockets) go to zeromq.js's `socket.send(parts, options)`. Anything else, or an option the
 * socket cannot take, is a TypeError at the call.
 */
export interface SendOptions {
  callback?: ((msg: Part[], status: Error | undefined) => unknown) | null
  /** `SNDMORE` and/or `DONTWAIT`; leave it out for none (`undefined`, a port's `zmq.SNDMORE` on zeromq.js, is a TypeError). */
  flags?: number
  copy?: boolean
  routingId?: number
  group?: string | Buffer
}

/** A validated message waiting in the send queue. */
export interface QueuedMessage {
  /**
   * A one-part message's part, or a multipart message's parts: what libzmq's data paths take as they are, so
   * a one-part message waits and goes out with no array of its own ({@link partsOf} for the callbacks).
   */
  readonly body: Part | Part[]
  /** Options for zeromq.js's `send`, or `undefined` when there are none (most sockets take no second argument). */
  readonly sendOptions: object | undefined
  /** The per-send callback, captured in the caller's stack contexts, or null. */
  readonly callback: UserCallback | null
  /** What it counts against the queue's byte limit: its parts' lengths, strings as UTF-8. */
  readonly bytes: number
}

/** A validated message as `[part, …]`, as the send callbacks take it. */
export function partsOf(message: QueuedMessage): Part[] {
  return Array.isArray(message.body) ? message.body : [message.body]
}

/** The bytes `parts` make on the wire: each part's length, strings counted as UTF-8. */
export function byteLength(parts: Part[]): number {
  let bytes = 0
  for (const part of parts) bytes += typeof part === "string" ? Buffer.byteLength(part) : part.byteLength
  return bytes
}

/** A part that is not a string: bytes. */
type BinaryPart = Exclude<Part, string>

// Checked with node:util's `types`, not `instanceof`: a buffer made in another realm (a `vm` context, as a
// kernel runs user code in) is a part as well.
function isBinaryPart(value: unknown): value is BinaryPart {
  return (
    value instanceof Uint8Array || // a Buffer: the common case first
    (ArrayBuffer.isView(value) && !types.isDataView(value)) ||
    types.isArrayBuffer(value)
  )
}

/** zeromq.js copies a part of up to this many bytes when it sends it; the native path copies more. */
const COPIED_BYTES = 128

/**
 * Whether `part`'s memory can shrink while libzmq reads it: a resizable `ArrayBuffer`'s (or a view's of one)
 * `resize()` gives its pages back, and libzmq, sending the part without a copy, then reads unmapped memory (the
 * process died: SIGSEGV over inproc, an abort on tcp's EFAULT, on both data paths).
 */
function canShrink(part: BinaryPart): boolean {
  const memory = types.isArrayBuffer(part) ? part : part.buffer
  return types.isArrayBuffer(memory) && memory.resizable
}

/** `part`'s bytes, copied into a Buffer of its own. */
function copyPart(part: BinaryPart): Buffer {
  return Buffer.copyBytesFrom(types.isArrayBuffer(part) ? new Uint8Array(part) : part)
}

/**
 * `value` as a part to send: a received `Frame` becomes its buffer, and a part above 128 B whose memory can
 * shrink (a resizable `ArrayBuffer`'s) a copy, made at the call.
 * @throws TypeError("<name> must be a Buffer, TypedArray, ArrayBuffer, string or received Frame, got …");
 *   RangeError for a string UTF-8 cannot encode (a lone surrogate).
 */
export function checkPart(name: string, value: unknown): Part {
  if (typeof value === "string") {
    checkWellFormed(name, value) // a string part is sent as UTF-8
    return value
  }
  if (isBinaryPart(value))
    return value.byteLength > COPIED_BYTES && canShrink(value) ? copyPart(value) : value
  if (isReceivedFrame(value)) return value.buffer
  throw new TypeError(
    `${name} must be a Buffer, TypedArray, ArrayBuffer, string or received Frame, got ${describeValue(value)}`,
  )
}

/**
 * Checks `parts` and copies the array (so a later change to the caller's array cannot send something
 * unchecked). @throws TypeError naming the bad index.
 */
export function checkParts(parts: unknown): Part[] {
  if (!Array.isArray(parts)) throw new TypeError(`parts must be an array, got ${describeValue(parts)}`)
  if (parts.length === 0) throw new TypeError("parts must hold at least one part, got []")
  const copy = new Array<Part>(parts.length)
  for (let i = 0; i < parts.length; i++) copy[i] = checkPart(`parts[${i}]`, parts[i])
  return copy
}

/**
 * `parts` with each one's bytes copied into a Buffer of its own (strings, immutable, stay as they are): what
 * `copy: true` sends, so that the caller may reuse its buffers at once.
 */
export function copyParts(parts: Part[]): Part[] {
  return parts.map((part) => (typeof part === "string" ? part : copyPart(part)))
}

/** What one `send*()` call's options say. */
export interface SplitSendOptions {
  callback: Function | null
  /** Options for zeromq.js's `send`, or `undefined` when there are none. */
  sendOptions: object | undefined
  /** `SNDMORE`: more parts of this message follow. */
  more: boolean
  /** `copy: true`: the parts are to be copied at the call. */
  copy: boolean
}

const NO_OPTIONS: SplitSendOptions = { callback: null, sendOptions: undefined, more: false, copy: false }

const NO_EQUIVALENT: Record<string, string> = {
  track:
    "there is no MessageTracker; give copy: true to reuse the buffers as soon as send*() returns, or use options.callback (or onSend) to learn when the message was handed to libzmq",
}

/** Which zeromq.js send option a socket type takes, if any. */
const SOCKET_SEND_OPTION: Record<number, string> = { [ZMQ_SERVER]: "routingId", [ZMQ_RADIO]: "group" }

/**
 * Checks `send*()` options for `socket`, of libzmq type `socketType` and splits them into the per-send
 * callback, the SNDMORE flag and what goes to zeromq.js. `own` names the keys of the calling method
 * (`encoding`, `protocol`), checked there. @throws TypeError / RangeError naming the option.
 */
export function splitSendOptions(
  options: unknown,
  socketType: number,
  socket: object,
  own: readonly string[] = [],
): SplitSendOptions {
  if (options === undefined) return NO_OPTIONS
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError(`options must be an object, got ${describeValue(options)}`)
  }
  let callback: Function | null = null
  let sendOptions: Record<string, unknown> | undefined
  let more = false
  let copy = false
  for (const [key, value] of Object.entries(options)) {
    if (key === "flags" && value === undefined) {
      throw undefinedFlagError("options.flags", ["SNDMORE", "DONTWAIT"], "no flags")
    }
    if (value === undefined || own.includes(key)) continue
    if (key === "callback") {
      if (value !== null) {
        checkFunction("options.callback", value)
        callback = value
      }
    } else if (key === "flags") {
      if (typeof value !== "number" || !Number.isInteger(value)) {
        throw new TypeError(
          `options.flags must be an integer of SNDMORE | DONTWAIT bits, got ${describeValue(value)}`,
        )
      }
      if (value < 0 || value > (SNDMORE | DONTWAIT)) {
        throw new RangeError(
          `options.flags must only hold SNDMORE (2) | DONTWAIT (1), got ${describeValue(value)}`,
        )
      }
      more = (value & SNDMORE) !== 0
    } else if (key === "copy") {
      if (typeof value !== "boolean")
        throw new TypeError(`options.copy must be a boolean, got ${describeValue(value)}`)
      copy = value
    } else if (key in NO_EQUIVALENT) {
      throw new TypeError(`options.${key} has no equivalent on a stream: ${NO_EQUIVALENT[key]}`)
    } else if (SOCKET_SEND_OPTION[socketType] === key) {
      checkSocketSendOption(key, value)
      ;(sendOptions ??= {})[key] = value
    } else {
      const takes = SOCKET_SEND_OPTION[socketType]
      throw new TypeError(
        `options.${key} is not a send option of a ${socket.constructor.name} socket (it takes callback, flags, copy${takes === undefined ? "" : `, ${takes}`})`,
      )
    }
  }
  if (more && (callback !== null || sendOptions !== undefined)) {
    throw new TypeError(
      "options: give callback, routingId and group with the last part (the send without SNDMORE)",
    )
  }
  return callback === null && sendOptions === undefined && !more && !copy
    ? NO_OPTIONS
    : { callback, sendOptions, more, copy }
}

function checkSocketSendOption(key: string, value: unknown): void {
  if (key === "routingId") {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 0xffffffff) {
      throw new TypeError(`options.routingId must be an integer 1 to 2^32-1, got ${describeValue(value)}`)
    }
  } else if (typeof value !== "string" && !types.isUint8Array(value)) {
    throw new TypeError(`options.group must be a string or Buffer, got ${describeValue(value)}`)
  }
}
