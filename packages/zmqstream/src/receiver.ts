import type { Socket } from "zeromq"
import { debug, type NativeDataPath } from "@zmq-eventloop/ioloop/internal"
import { MAX_RECEIVE_CHUNK } from "./constants.js"
import { wouldBlock } from "./would-block.js"

/** What the receive path needs from its stream. */
export interface ReceiverHost {
  readonly socket: Socket
  /** Whether a recv callback is set (messages taken now go to it). */
  receiving(): boolean
  /** Whether the stream was closed (messages still arriving from a chunk are dropped). */
  closed(): boolean
  /** Hands one message to the recv callback. */
  deliver(message: Buffer[]): void
  /** A receive failed with something other than EAGAIN. */
  receiveFailed(error: Error): void
  /** Whether the loop calls again because the socket stayed readable after the last chunk (a burst). */
  inBurst(): boolean
  /**
   * Messages wait in the native batch although `ZMQ_EVENTS` may no longer show them: have the loop call
   * `pull()` again soon (it will not re-dispatch for them by itself).
   */
  pullLater(): void
}

type ReadableSocket = Socket & { receive(): Promise<Buffer[]> }

/**
 * The receive path of a stream: gated chunks of `receive()` calls on a socket whose `receiveTimeout` is 0,
 * so each call settles synchronously inside zeromq.js (DESIGN.md "Fast paths").
 *
 * A chunk is issued from the loop's READ dispatch without awaiting between calls; its settled promises are
 * then handled in order, as microtasks, by the two pre-bound handlers below (no per-message closure). No new
 * chunk starts before the previous one is fully handled (the gate), so messages keep their order. Messages
 * taken from libzmq while no recv callback is set (after `stopOnRecv()` from an earlier message of the same
 * chunk, say) are kept in `held` and delivered first by the next `onRecv`/`flush` (nothing lost).
 *
 * On the native data path (`native` set) none of that is needed: messages come out of the addon's batch
 * synchronously, one at a time, each delivered before the next is taken, so the READ dispatch itself calls
 * the recv callback (no microtask per message) and a `stopOnRecv()` simply leaves the rest in the batch.
 */
export class Receiver {
  /** Messages taken from libzmq but not delivered yet, oldest first. */
  readonly held: Buffer[][] = []
  /** Whether the last native pull ended with a receive that found the socket empty (EAGAIN). */
  drained = false
  private readonly host: ReceiverHost
  private readonly native: NativeDataPath | null
  private pending = 0
  private chunkSize = 1
  private chunkGot = 0
  private chunkDrained = false
  private idleWaiters: Array<() => void> = []

  constructor(host: ReceiverHost, native: NativeDataPath | null) {
    this.host = host
    this.native = native
  }

  /** Whether messages wait to be delivered: held ones, or the rest of a native batch. */
  get pendingDelivery(): boolean {
    return this.held.length > 0 || (this.native?.buffered ?? false)
  }

  /** Resolves once no chunk is in flight. */
  whenIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  // ---- the fast path: one chunk per READ dispatch ---------------------------------------------------------

  /**
   * Takes up to one chunk of messages from the socket (the loop saw it readable). The chunk doubles (up to
   * MAX_RECEIVE_CHUNK) only in a `burst`, when the loop calls again because the socket stayed readable
   * after a chunk that got every message it asked for; a chunk that met an empty socket shrinks to what it
   * got. So a fresh signal never asks for more than the last chunk got, and a lone message (ping-pong) never
   * costs a speculative receive() that fails with EAGAIN, which zeromq.js makes expensive (~12 µs each).
   */
  pull(): void {
    if (this.native !== null) return this.pullNatively(this.native)
    if (this.pending > 0) return // the gate: the previous chunk is still being handled
    const socket = this.host.socket as ReadableSocket
    const size =
      this.host.inBurst() && !this.chunkDrained
        ? Math.min(this.chunkSize * 2, MAX_RECEIVE_CHUNK)
        : this.chunkSize
    this.chunkSize = size
    if (debug.enabled) debug("ZMQStream: receive chunk of %d", size)
    this.chunkDrained = false
    this.chunkGot = 0
    this.pending = size
    for (let i = 0; i < size; i++) {
      let result: Promise<Buffer[]>
      try {
        result = socket.receive()
      } catch (error) {
        // Thrown, not rejected: the socket was closed or is busy. Count the rest of the chunk as done.
        this.pending -= size - i - 1
        this.onFailed(error)
        return
      }
      result.then(this.onReceived, this.onFailed)
    }
  }

  /** The native fast path: deliver straight from the addon's batch, up to MAX_RECEIVE_CHUNK messages. */
  private pullNatively(native: NativeDataPath): void {
    this.drained = false
    for (let count = 0; count < MAX_RECEIVE_CHUNK; count++) {
      if (!this.host.receiving() || this.host.closed()) return
      let message: Buffer[] | undefined
      try {
        message = native.receive()
      } catch (error) {
        if (!wouldBlock(error) && !this.host.closed()) this.host.receiveFailed(error as Error)
        return
      }
      if (message === undefined) {
        this.drained = true
        return
      }
      this.host.deliver(message)
    }
    if (native.buffered) this.host.pullLater() // the fairness bound stopped us, not an empty socket
  }

  private readonly onReceived = (message: Buffer[]): void => {
    this.chunkGot++
    if (this.host.closed()) {
      // Taken from libzmq after close(): nobody can receive it any more (pyzmq drops them with the socket).
    } else if (this.held.length === 0 && this.host.receiving()) {
      this.host.deliver(message)
    } else {
      this.held.push(message)
    }
    if (--this.pending === 0) this.chunkDone()
  }

  private readonly onFailed = (error: unknown): void => {
    if (!wouldBlock(error) && !this.host.closed()) this.host.receiveFailed(error as Error)
    this.chunkDrained = true
    if (--this.pending === 0) this.chunkDone()
  }

  private chunkDone(): void {
    // A call came back EAGAIN: the socket was drained, so ask for what this chunk got next time.
    if (this.chunkDrained) this.chunkSize = Math.max(1, this.chunkGot)
    if (this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters
      this.idleWaiters = []
      for (const resolve of waiters) resolve()
    }
  }

  // ---- held messages and flush ----------------------------------------------------------------------------

  /** Delivers held messages in order while a recv callback is set; at most `limit`. Returns how many. */
  deliverHeld(limit = Infinity): number {
    let count = 0
    while (count < limit && this.held.length > 0 && this.host.receiving() && !this.host.closed()) {
      this.host.deliver(this.held.shift()!)
      count++
    }
    return count
  }

  /**
   * One message for `flush()`: the oldest held one, else one `receive()`. Resolves to the message, or
   * `null` when there was none (EAGAIN) or the receive failed (reported through the host).
   */
  async takeOne(): Promise<Buffer[] | null> {
    const held = this.held.shift()
    if (held !== undefined) return held
    try {
      if (this.native !== null) return this.native.receive() ?? null
      return await (this.host.socket as ReadableSocket).receive()
    } catch (error) {
      if (!wouldBlock(error) && !this.host.closed()) this.host.receiveFailed(error as Error)
      return null
    }
  }
}
