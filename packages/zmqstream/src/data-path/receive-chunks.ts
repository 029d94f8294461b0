import { MAX_RECEIVE_CHUNK, MAX_RECEIVE_CHUNK_BYTES } from "../constants.js"

/**
 * How many messages one READ dispatch hands out, one rule for both data paths: one at first, then doubling
 * (up to a bound) while each chunk got all it asked for and more messages wait (a burst), and back to what
 * the last chunk got once a receive finds the socket empty. A lone message is then handed out alone, and the
 * loop turns before the next one, so what its callback schedules runs first, as in pyzmq (one message per
 * loop turn); a burst reaches the bound in a few dispatches, interleaved with other streams' on the same
 * loop; and a fresh signal never asks for more than the last chunk got (on the zeromq.js path a receive()
 * that finds nothing costs 10-15 µs).
 *
 * A chunk is also bounded in bytes, at the last chunk's mean message size: the zeromq.js path takes a whole
 * chunk out of libzmq before the first of it is handed out, so 256 messages of 1 MiB were 256 MiB in hand at
 * once, where plain zeromq.js's `for await` holds one.
 */
export class ReceiveChunks {
  private size = 1
  private lastFull = false
  /** How many messages of the last chunk's mean size fit in `MAX_RECEIVE_CHUNK_BYTES`. */
  private fitting = MAX_RECEIVE_CHUNK

  /** The size of the next chunk. `burst`: messages are known to wait beyond the last chunk. */
  next(burst: boolean): number {
    if (burst && this.lastFull) this.size = Math.min(this.size * 2, MAX_RECEIVE_CHUNK)
    this.size = Math.min(this.size, this.fitting)
    this.lastFull = false
    return this.size
  }

  /**
   * The chunk handed out `got` messages of `bytes` in all; `drained`: one of its receives found the socket
   * empty.
   */
  ended(got: number, drained: boolean, bytes: number): void {
    this.lastFull = !drained && got >= this.size
    if (drained) this.size = Math.max(1, got)
    if (got > 0) this.fitting = Math.max(1, Math.floor((MAX_RECEIVE_CHUNK_BYTES * got) / Math.max(bytes, 1)))
  }
}

/**
 * The bytes of a message's frames. A SERVER's or DISH's message ends with zeromq.js's `{ routingId }` or
 * `{ group }`, which counts nothing (counted as `undefined` bytes, it made every later chunk empty: the
 * stream delivered the first message and no other).
 */
export function messageBytes(message: readonly Buffer[]): number {
  let bytes = 0
  for (let i = 0; i < message.length; i++) bytes += frameBytes(message[i])
  return bytes
}

/** The bytes of one element of a received message: a frame's length, 0 for a draft socket's info. */
export function frameBytes(element: unknown): number {
  return element instanceof Uint8Array ? element.length : 0
}
