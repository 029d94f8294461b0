import type { Socket } from "zeromq"
import { ERROR, NONE, READ, WRITE, type IOLoop } from "@zmq-eventloop/ioloop"
import { attachDataPath, debug, NativeDataPath, type LoopServices } from "@zmq-eventloop/ioloop/internal"
import { NullContext } from "@zmq-eventloop/stack-context"
import { POLLIN, POLLOUT, ZMQ_LINGER } from "./constants.js"
import type { QueuedMessage } from "./parts.js"
import { Receiver, type ReceiverHost } from "./receiver.js"
import { Sender, type SenderHost } from "./sender.js"
import type { StreamCallbacks } from "./stream-callbacks.js"

type LingeringSocket = Socket & { setInt32Option(id: number, value: number): void }

/** How a stream moves messages: through the addon straight into libzmq, or through zeromq.js's calls. */
export type DataPath = "native" | "zeromq.js"

/**
 * The working half of a ZMQStream (pyzmq's `_handle_events`, `_update_handler`, `flush`, `close`): its
 * state, its loop handler, and the receive and send paths it drives, whose host it is. `ZMQStream` is the
 * public face that checks arguments and forwards here.
 */
export class StreamEngine implements ReceiverHost, SenderHost {
  readonly receiver: Receiver
  readonly sender: Sender
  readonly dataPath: DataPath
  private isClosed = false
  private flushDepth = 0
  private interest = NONE
  /** Whether WRITE interest is held back after a send refused although the socket reported WRITE. */
  private sendPaused = false

  constructor(
    readonly socket: Socket,
    private readonly loop: IOLoop,
    private readonly services: LoopServices,
    readonly callbacks: StreamCallbacks,
  ) {
    const attached = attachDataPath(socket)
    const native = attached instanceof NativeDataPath ? attached : null
    this.dataPath = native === null ? "zeromq.js" : "native"
    if (debug.enabled) {
      const why = native === null ? (attached as { reason: string }).reason : "attached"
      debug("ZMQStream: %s data path for a %s socket (%s)", this.dataPath, socket.constructor.name, why)
    }
    this.receiver = new Receiver(this, native)
    this.sender = new Sender(this, native)
    // pyzmq `_init_io_state`: the stream's own handler must not capture the caller's contexts.
    new NullContext().run(() => loop.addHandler(socket, this.handleEvents, NONE))
    services.closeListeners.add(this.loopClosed)
  }

  // ---- ReceiverHost and SenderHost -------------------------------------------------------------------------

  receiving(): boolean {
    return this.callbacks.recv !== null
  }

  closed(): boolean {
    return this.isClosed
  }

  flushing(): boolean {
    return this.flushDepth > 0
  }

  deliver(message: Buffer[]): void {
    this.callbacks.deliver(message)
  }

  receiveFailed(error: Error): void {
    this.callbacks.error(error, "ZMQStream receive error")
  }

  sent(message: QueuedMessage, status: Error | undefined): void {
    this.callbacks.sent(message.parts, message.callback, status)
  }

  queueChanged(): void {
    this.updateInterest()
  }

  unsent(count: number): void {
    this.callbacks.unsent(count)
  }

  /** Whether a burst is under way: the loop calls again because the socket stayed ready. */
  inBurst(): boolean {
    return this.services.handlerStillReady
  }

  retryAfter(ms: number): void {
    this.sendPaused = true
    this.updateInterest()
    this.loop.callLater(ms, this.resumeSending)
  }

  private readonly resumeSending = (): void => {
    this.sendPaused = false
    this.updateInterest()
    // What the loop last read of the socket predates the pause: have it read ZMQ_EVENTS afresh.
    if (!this.isClosed) this.calledSocket()
  }

  pullLater(): void {
    this.loop.spawnCallback(this.resumeDelivery)
  }

  /** Has the loop forget what it read of the socket and read `ZMQ_EVENTS` again. */
  calledSocket(): void {
    this.services.noteSocketCall(this.socket)
  }

  // ---- the loop's side -------------------------------------------------------------------------------------

  /** The IOLoop handler, registered under NullContext (pyzmq `_handle_events`). */
  private readonly handleEvents = (_socket: Socket, events: number): void => {
    if (this.isClosed) return
    // The loop reports ERROR for a socket closed behind our back: do closed()'s bookkeeping.
    if (events & ERROR) {
      if (!this.closeIfSocketClosed()) debug("ZMQStream: ERROR reported for an open socket")
      return
    }
    if (this.flushDepth > 0) return // flush() is handling this stream's events
    if (events & READ) this.resumeDelivery()
    if (events & WRITE && !this.isClosed) {
      this.sender.pushOut()
      // Native sends went around zeromq.js after the receives: what those proved no longer holds.
      if (this.dataPath === "native" && !this.isClosed) this.calledSocket()
    }
  }

  /**
   * A loop-side delivery of messages kept since a `stopOnRecv()`, or left in a native batch (the socket may
   * have nothing to wake the loop for them).
   */
  readonly resumeDelivery = (): void => {
    if (this.isClosed || this.flushDepth > 0 || this.callbacks.recv === null) return
    this.receiver.deliverHeld()
    if (this.callbacks.recv === null) return
    this.receiver.pull()
    // Native receives go around zeromq.js, so the loop did not see them consume the socket's edge: outside
    // this stream's dispatch (a spawned callback) it must be told; inside, this only forgets a read.
    // A pull that ended at EAGAIN proved the socket unreadable: the loop need not read ZMQ_EVENTS to learn it.
    if (this.dataPath === "native" && !this.isClosed) {
      this.services.noteSocketCall(this.socket, this.receiver.drained ? READ : NONE)
    }
  }

  private readonly loopClosed = (): void => this.close(undefined)

  /** Keeps the loop's interest exact: READ while a recv callback is set, WRITE while messages are queued. */
  updateInterest(): void {
    if (this.isClosed) return
    const sending = this.sender.waiting > 0 && !this.sendPaused
    const interest = (this.callbacks.recv !== null ? READ : NONE) | (sending ? WRITE : NONE)
    if (interest === this.interest) return
    this.interest = interest
    this.refreshHandler()
  }

  private refreshHandler(): void {
    this.loop.updateHandler(this.socket, this.interest)
  }

  // ---- closing ---------------------------------------------------------------------------------------------

  /** Closes the stream when its socket was closed elsewhere. Returns whether the stream is closed. */
  closeIfSocketClosed(): boolean {
    if (this.isClosed) return true
    if (!this.socket.closed) return false
    this.close(undefined)
    return true
  }

  /** `ZMQStream.close()`, arguments checked. */
  close(linger: number | undefined): void {
    if (this.isClosed) return
    this.isClosed = true
    this.services.closeListeners.delete(this.loopClosed)
    this.loop.removeHandler(this.socket)
    const dropped = this.sender.drainForClose()
    if (this.socket.closed) {
      debug("ZMQStream: the socket was closed behind the stream's back")
    } else {
      if (linger !== undefined) (this.socket as LingeringSocket).setInt32Option(ZMQ_LINGER, linger)
      this.socket.close()
    }
    if (this.receiver.held.length > 0)
      debug("ZMQStream.close: dropping %d received messages", this.receiver.held.length)
    this.receiver.held.length = 0
    if (dropped > 0) this.callbacks.unsent(dropped)
    this.callbacks.closed()
  }

  // ---- flush -----------------------------------------------------------------------------------------------

  /** `ZMQStream.flush()`, arguments checked; `limit` is Infinity for none. */
  async flush(flag: number, limit: number, canReceive: boolean): Promise<number> {
    const receive = (flag & POLLIN) !== 0 && canReceive
    const send = (flag & POLLOUT) !== 0
    let count = 0
    this.flushDepth++ // the loop's dispatches of this stream stand aside meanwhile
    try {
      await this.receiver.whenIdle() // a chunk the loop took: its messages are handled first
      while (count < limit && !this.isClosed) {
        let progressed = false
        if (receive) {
          const message = await this.receiver.takeOne()
          if (message !== null) {
            count++
            progressed = true
            if (!this.isClosed) this.callbacks.deliver(message)
          }
        }
        if (send && count < limit && !this.isClosed) {
          const outcome = await this.sender.sendOne()
          if (outcome === "sent" || outcome === "failed") {
            count++
            progressed = true
          }
        }
        if (!progressed) break
      }
    } finally {
      this.flushDepth--
      // Our receive()/send() calls may have consumed the socket's edge signal: have the loop look again
      // (zeromq.js's calls are noted by the loop; native ones are not).
      if (!this.isClosed && this.flushDepth === 0) {
        this.refreshHandler()
        this.calledSocket()
      }
    }
    return count
  }
}
