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
}

class ReceivedFrame implements Frame {
  readonly buffer: Buffer
  readonly more: boolean
  constructor(buffer: Buffer, more: boolean) {
    this.buffer = buffer
    this.more = more
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

/** The parts of one received message as `Frame`s. */
export function toFrames(message: Buffer[]): Frame[] {
  const last = message.length - 1
  const frames = new Array<Frame>(message.length)
  for (let i = 0; i <= last; i++) frames[i] = new ReceivedFrame(message[i]!, i < last)
  return frames
}
