/**
 * One received message part, as `onRecv(cb, { copy: false })` delivers it: pyzmq's `zmq.Frame`, for code
 * (Jupyter's `feed_identities`, `deserialize`) that reads `frame.bytes` / `frame.buffer`.
 *
 * zeromq.js already hands over each part as a `Buffer` of its own, so neither field copies: both are that
 * `Buffer`. `more` is `true` on every part but the last one of its message (pyzmq `Frame.more`).
 */
export interface Frame {
  /** The part's data (pyzmq: a `memoryview`). */
  readonly buffer: Buffer
  /** The part's data (pyzmq: a `bytes` copy; here the same `Buffer` as `buffer`). */
  readonly bytes: Buffer
  /** Whether more parts of the same message follow this one (pyzmq `Frame.more`, `frame.get(zmq.MORE)`). */
  readonly more: boolean
  /** The part's size in bytes (pyzmq `len(frame)`). */
  readonly length: number
  /** On a SERVER socket, the routing id of the CLIENT that sent it (pyzmq `Frame.routing_id`). */
  readonly routingId?: number
  /** On a DISH socket, the group it was sent to, as zeromq.js gives it (pyzmq `Frame.group`, a `str`). */
  readonly group?: Buffer
}

/**
 * What zeromq.js gives beside the part of a message received on a SERVER (`{ routingId }`) or DISH
 * (`{ group }`) socket, as the message's last element.
 */
export interface DraftMessageInfo {
  readonly routingId?: number
  readonly group?: Buffer
}

class ReceivedFrame implements Frame {
  readonly buffer: Buffer
  readonly more: boolean
  // Declared, not defined: a frame of another socket has neither property (not even as undefined).
  declare readonly routingId?: number
  declare readonly group?: Buffer
  constructor(buffer: Buffer, more: boolean, info: DraftMessageInfo | undefined) {
    this.buffer = buffer
    this.more = more
    if (info?.routingId !== undefined) this.routingId = info.routingId
    if (info?.group !== undefined) this.group = info.group
  }
  get bytes(): Buffer {
    return this.buffer
  }
  get length(): number {
    return this.buffer.length
  }
}

/** Whether `value` is a `Frame` a stream delivered (which `send*()` takes back as a part, as pyzmq does). */
export function isReceivedFrame(value: unknown): value is Frame {
  return value instanceof ReceivedFrame
}

/** The draft socket's `{ routingId }` or `{ group }` that ends `message`, if it has one. */
export function draftMessageInfo(message: readonly unknown[]): DraftMessageInfo | undefined {
  const last = message[message.length - 1]
  return last instanceof Uint8Array || typeof last !== "object" || last === null ? undefined : last
}

/**
 * The parts of one received message as `Frame`s; a SERVER's or DISH's `{ routingId }`/`{ group }` becomes
 * the frames' `routingId`/`group`.
 */
export function toFrames(message: Buffer[]): Frame[] {
  const info = draftMessageInfo(message)
  const last = message.length - (info === undefined ? 1 : 2)
  const frames = new Array<Frame>(last + 1)
  for (let i = 0; i <= last; i++) frames[i] = new ReceivedFrame(message[i]!, i < last, info)
  return frames
}
