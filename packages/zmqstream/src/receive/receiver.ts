import type { ReceiveSink, StreamDataPath } from "../data-path/data-path.js"
import { wouldBlock } from "../would-block.js"

/** What the receive side needs from its stream. */
export interface ReceiverHost {
  /** Whether a recv callback is set (messages taken now go to it). */
  receiving(): boolean
  /**
   * Whether the stream's loop is running. A `stop()` (from a recv callback, say) ends the delivery there, as
   * pyzmq's stream delivers nothing more once its loop stopped: what was taken waits for the next `start()`.
   */
  loopRunning(): boolean
  /** Whether the stream was closed (messages still arriving from a chunk are dropped). */
  closed(): boolean
  /** Hands one message to the recv callback. */
  deliver(message: Buffer[]): void
  /** A receive failed with something other than EAGAIN. */
  receiveFailed(error: Error): void
  /** Messages are held while a recv callback is set (its loop stopped): deliver them from the loop later. */
  scheduleHeld(): void
}

/**
 * The receive side of a stream, whatever its data path: it hands what the path takes from libzmq to the
 * recv callback, in order, and keeps in `held` what arrives while none is set (after `stopOnRecv()` from an
 * earlier message of the same zeromq.js chunk, say), for the next `onRecv`/`flush` (nothing lost), or while
 * the loop is stopped, for its next run.
 */
export class Receiver implements ReceiveSink {
  /** Messages taken from libzmq but not delivered yet, oldest first. */
  readonly held: Buffer[][] = []

  constructor(private readonly host: ReceiverHost) {}

  accepting(): boolean {
    return this.host.receiving() && this.host.loopRunning() && !this.host.closed()
  }

  received(message: Buffer[]): void {
    if (this.host.closed()) {
      // Taken from libzmq after close(): nobody can receive it any more (pyzmq drops them with the socket).
    } else if (this.held.length === 0 && this.accepting()) {
      this.host.deliver(message)
    } else {
      this.held.push(message)
      if (this.host.receiving()) this.host.scheduleHeld()
    }
  }

  receiveFailed(error: unknown): void {
    if (!wouldBlock(error) && !this.host.closed()) this.host.receiveFailed(error as Error)
  }

  /** Delivers held messages in order while a recv callback is set. */
  deliverHeld(): void {
    while (this.held.length > 0 && this.accepting()) this.host.deliver(this.held.shift()!)
  }

  /**
   * One message for `flush()`: the oldest held one, else one from `path`. Resolves to the message, or
   * `null` when there was none (EAGAIN) or the receive failed (reported through the host).
   */
  async takeOne(path: StreamDataPath): Promise<Buffer[] | null> {
    const held = this.held.shift()
    if (held !== undefined) return held
    try {
      return (await path.receiveOne()) ?? null
    } catch (error) {
      this.receiveFailed(error)
      return null
    }
  }
}
