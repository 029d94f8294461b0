import type { Socket } from "zeromq"
import { ERROR, NONE, READ, WRITE, type IOLoop, type Timeout } from "@zmq-eventloop/ioloop"
import {
  debug,
  watchSocketLife,
  type HandlerOwner,
  type LoopServices,
  type SocketLifeListener,
} from "@zmq-eventloop/ioloop/internal"
import { NullContext } from "@zmq-eventloop/stack-context"
import { chooseDataPath, type AttachRetry } from "./data-path/choose-data-path.js"
import { POLLIN, POLLOUT, ZMQ_LINGER } from "./constants.js"
import type { DataPath, StreamDataPath } from "./data-path/data-path.js"
import type { QueuedMessage } from "./send/parts.js"
import { Receiver, type ReceiverHost } from "./receive/receiver.js"
import { Sender, type SenderHost } from "./send/sender.js"
import { belowLimit, SendQueueFullError, UNBOUNDED, type SendQueueLimit } from "./send/send-queue-limit.js"
import type { StreamCallbacks } from "./stream-callbacks.js"

// While the native data path is refused because a bind/unbind holds the socket, the stream tries it again
// when the loop reports the bind settled (it hears of every bind, started before the socket was registered
// or after) and at each dispatch. A swap that had to wait for a receive or send in flight when the notice
// came is retried on a timer, 1 ms later, doubling to 64 ms. A refusal because the process was out of fds
// for the checks is retried on that timer only (each check opens 16 fds to see whether they are back),
// doubling to a second.
const FIRST_ATTACH_RETRY_MS = 1
const LAST_ATTACH_RETRY_MS = 64
const LAST_FDS_RETRY_MS = 1024

/** A stream's registration, refused to the loop's public updateHandler/removeHandler. */
const STREAM_OWNER: HandlerOwner = {
  name: "ZMQStream",
  release: "use the stream (stream.close() lets go of the socket)",
}

type LingeringSocket = Socket & { setInt32Option(id: number, value: number): void }

/**
 * The working half of a ZMQStream (pyzmq's `_handle_events`, `_update_handler`, `flush`, `close`): its
 * state, its loop handler, its data path, and the receive and send sides it drives, whose host it is.
 * `ZMQStream` is the public face that checks arguments and forwards here.
 *
 * Whatever is held in user space (the receiver's held list, the rest of a native batch) has a delivery
 * scheduled on the loop while a recv callback is set ({@link scheduleHeld}): the socket's fd will not
 * wake the loop for messages already taken out of libzmq.
 */
export class StreamEngine implements ReceiverHost, SenderHost, SocketLifeListener {
  readonly receiver: Receiver
  readonly sender: Sender
  /** The data path now; swapped for the native one once what refused it (a bind, a lack of fds) passed. */
  path: StreamDataPath
  /** When the native data path, refused, is tried again. */
  private retryAttach: AttachRetry
  private attachRetry: Timeout | null = null
  private attachRetryMs = 0
  private readonly stopWatchingSocket: () => void
  private deliveryScheduled = false
  private isClosed = false
  private flushDepth = 0
  private interest = NONE
  /** Whether WRITE interest is held back after a send refused although the socket reported WRITE. */
  private sendPaused = false
  /** The bound on the send queue (pyzmq's has none). */
  sendQueueLimit: SendQueueLimit = UNBOUNDED
  /** Whether a `send*()` answered "full" since the queue was last empty: `onDrain` is owed. */
  private drainOwed = false
  /** Messages refused at the limit, reported from the loop (never from inside `send*()`). */
  private refused: QueuedMessage[] | null = null

  constructor(
    readonly socket: Socket,
    private readonly loop: IOLoop,
    private readonly services: LoopServices,
    readonly callbacks: StreamCallbacks,
  ) {
    const choice = chooseDataPath(socket)
    this.path = choice.path
    this.retryAttach = choice.retry
    this.receiver = new Receiver(this)
    this.sender = new Sender(this)
    // pyzmq `_init_io_state`: the stream's own handler (and timer) must not capture the caller's contexts.
    new NullContext().run(() => {
      loop.addHandler(socket, this.handleEvents, NONE)
      services.claimHandler(socket, STREAM_OWNER)
      if (choice.retry === "later") this.retryAttachLater()
    })
    this.pathChosen()
    this.stopWatchingSocket = watchSocketLife(socket, this)
    services.closeListeners.add(this.loopClosed)
  }

  get dataPath(): DataPath {
    return this.path.name
  }

  // ---- the socket's life ---------------------------------------------------------------------------------

  /** A bind/unbind settled: the native data path refused while it ran may attach now. */
  workerSettled(): void {
    this.attachIfSettled()
  }

  /**
   * The socket was closed directly (inside a callback, say): nothing more is delivered. zeromq.js defers the
   * close of a socket a bind holds, so `socket.closed` may still say false.
   */
  socketClosed(): void {
    this.shutDown(undefined, true)
  }

  /**
   * A `receive()` on the socket gets the next message in order, as pyzmq's `socket.recv()` does beside
   * its stream: one the stream already took from libzmq (held here, in a native batch, or in a zeromq.js
   * chunk still being handed out) comes first. (The zeromq.js path's own `receive()` calls, a chunk's, come
   * while nothing is held here, and that path takes no result for them.)
   */
  takeHeld(): Promise<Buffer[]> | undefined {
    if (this.isClosed) return undefined
    const held = this.receiver.held
    return held.length > 0 ? Promise.resolve(held.shift()!) : this.path.takeHeld()
  }

  /** `socket.readable` is true while the stream holds messages taken from libzmq (pyzmq's poll would see them). */
  holdsMessages(): boolean {
    return !this.isClosed && (this.receiver.held.length > 0 || this.path.hasTaken)
  }

  /** Tries the native data path again if it was refused only while a bind/unbind held the socket. */
  private attachIfSettled(): void {
    if (this.retryAttach === "settled") this.attach()
  }

  /**
   * Swaps in the native data path, once nothing the current path started is in flight. What the stream
   * holds (held messages, the send queue) lives outside the path, so nothing is lost or reordered by the
   * swap. Called when a bind settles, at each dispatch (both only while a bind refused it), and on the retry
   * timer. Refused again, it waits for the next settle notice (another bind holds the socket) or the timer.
   */
  private attach(): void {
    if (this.isClosed) return
    if (this.path.settling || this.sender.sendInFlight) return this.retryAttachLater()
    const choice = chooseDataPath(this.socket, this.path, this.retryAttach)
    this.path = choice.path
    this.retryAttach = choice.retry
    this.pathChosen()
    this.cancelAttachRetry()
    if (choice.retry === "later") this.retryAttachLater()
  }

  /**
   * On the native path the loop reads the socket through it (no zeromq.js call while messages flow), and
   * since a native receive that finds nothing costs what reading `ZMQ_EVENTS` does and tells the loop what
   * it proved, the loop may dispatch READ on a signal without reading `ZMQ_EVENTS` first.
   */
  private pathChosen(): void {
    this.services.readThrough(this.socket, this.path.socketReader)
  }

  /** Whether the data path calls libzmq around zeromq.js (see `StreamDataPath.socketReader`). */
  private get bypassesZeromqJs(): boolean {
    return this.path.socketReader !== null
  }

  private retryAttachLater(): void {
    if (this.attachRetry !== null) return
    this.attachRetryMs = Math.min(
      Math.max(this.attachRetryMs * 2, FIRST_ATTACH_RETRY_MS),
      this.retryAttach === "later" ? LAST_FDS_RETRY_MS : LAST_ATTACH_RETRY_MS,
    )
    this.attachRetry = this.loop.callLater(this.attachRetryMs, this.attachRetryDue)
  }

  private readonly attachRetryDue = (): void => {
    this.attachRetry = null
    if (this.retryAttach !== "never") this.attach()
  }

  private cancelAttachRetry(): void {
    if (this.attachRetry !== null) this.loop.removeTimeout(this.attachRetry)
    this.attachRetry = null
  }

  // ---- ReceiverHost and SenderHost -------------------------------------------------------------------------

  receiving(): boolean {
    return this.callbacks.recv !== null
  }

  loopRunning(): boolean {
    return this.loop.running()
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
    this.callbacks.sent(message, status)
  }

  hearsOfSends(): boolean {
    return this.callbacks.send !== null
  }

  roomToSend(): boolean {
    return this.services.roomToSend(this.socket)
  }

  queueChanged(): void {
    this.updateInterest()
  }

  unsent(count: number): void {
    this.callbacks.unsent(count)
  }

  queueEmptied(): void {
    if (!this.drainOwed) return
    this.drainOwed = false
    this.callbacks.drained()
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

  /**
   * Schedules a delivery on the loop while messages are held in user space and a recv callback is set: the
   * one place that answers "held, so delivered later" for both data paths (after a READ dispatch, a flush,
   * an `onRecv()`).
   */
  scheduleHeld(): void {
    if (this.deliveryScheduled || this.isClosed || this.callbacks.recv === null) return
    if (this.receiver.held.length === 0 && !this.path.holding) return
    this.deliveryScheduled = true
    this.loop.spawnCallback(this.scheduledDelivery)
  }

  private readonly scheduledDelivery = (): void => {
    this.deliveryScheduled = false
    this.resumeDelivery()
  }

  /** Has the loop forget what it read of the socket and read `ZMQ_EVENTS` again. */
  calledSocket(): void {
    this.services.noteSocketCall(this.socket)
  }

  // ---- the send queue's limit ----------------------------------------------------------------------------

  /**
   * Queues `message` within the send queue's limit and returns `send*()`'s answer: whether the queue is
   * below the limit afterwards (Node's `writable.write()`). At the limit, `"refuse"` reports the message
   * with a {@link SendQueueFullError} instead of queueing it. `quiet`: nobody waits to hear about it, so
   * its send may start now (`Sender.startAlone`).
   */
  admit(message: QueuedMessage, quiet: boolean): boolean {
    if (this.sendQueueLimit.whenFull === "refuse" && !this.hasRoom()) {
      if (this.refused === null) {
        this.refused = []
        this.loop.spawnCallback(() => this.reportRefused())
      }
      this.refused.push(message)
      return false
    }
    this.sender.push(message)
    if (quiet) this.sender.startAlone()
    this.updateInterest()
    return this.hasRoom()
  }

  /**
   * Whether the send queue is below its limit, counting the messages not yet handed to libzmq; when it is
   * not, `onDrain` is owed for when it empties.
   */
  hasRoom(): boolean {
    if (belowLimit(this.sendQueueLimit, this.sender.waiting, this.sender.waitingBytes)) return true
    this.drainOwed = true
    return false
  }

  private reportRefused(): void {
    const refused = this.refused ?? []
    this.refused = null
    for (const message of refused) {
      this.callbacks.sent(message, new SendQueueFullError(this.sendQueueLimit))
    }
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
    this.attachIfSettled()
    if (events & READ) this.resumeDelivery()
    if (events & WRITE && !this.isClosed) {
      this.sender.pushOut()
      // Native sends went around zeromq.js after the receives: what those proved no longer holds.
      if (this.bypassesZeromqJs && !this.isClosed) this.calledSocket()
    }
  }

  /** A delivery from the loop: held messages first, then what the data path takes from the socket. */
  private resumeDelivery(): void {
    if (this.isClosed || this.flushDepth > 0 || this.callbacks.recv === null) return
    this.receiver.deliverHeld()
    if (!this.receiver.accepting()) return this.scheduleHeld()
    // A recv callback above started a flush(): it takes from the socket now. A chunk issued here as well
    // would take later messages and hand them over first (its results settle in fewer microtask turns).
    if (this.flushDepth > 0) return
    // A burst: the loop calls again because the socket stayed readable, or the path holds messages it took.
    const drained = this.path.receive(this.receiver, this.services.handlerStillReady || this.path.holding)
    this.scheduleHeld()
    if (this.path.settling && this.path.recheckAfterSettling) {
      this.services.recheckAfterSettling(this.socket)
      void this.path.whenReceivesSettled().then(() => this.calledSocket())
    }
    // Native receives go around zeromq.js, so the loop did not see them consume the socket's edge: outside
    // this stream's dispatch (a spawned callback) it must be told; inside, this only forgets a read. A batch
    // that ended at EAGAIN proved the socket unreadable, and one that stopped with messages in hand left a
    // delivery scheduled, which reads libzmq itself: either way the loop need not read ZMQ_EVENTS for READ.
    if (this.bypassesZeromqJs && !this.isClosed) {
      this.services.noteSocketCall(this.socket, drained || this.deliveryScheduled ? READ : NONE)
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
    this.services.updateOwnHandler(this.socket, this.interest)
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
    this.shutDown(linger, this.socket.closed)
  }

  /** Closes the stream, and its socket unless `socketClosed` (it was closed elsewhere: warned about). */
  private shutDown(linger: number | undefined, socketClosed: boolean): void {
    if (this.isClosed) return
    this.isClosed = true
    this.stopWatchingSocket()
    this.cancelAttachRetry()
    this.services.closeListeners.delete(this.loopClosed)
    this.services.removeOwnHandler(this.socket)
    const heldParts = this.sender.heldPartCount
    if (heldParts > 0)
      this.services.log.debug(`ZMQStream.close: dropping ${heldParts} parts sent with SNDMORE`)
    const dropped = this.sender.drainForClose(socketClosed)
    if (socketClosed) {
      // pyzmq warns as well ("Unregistering FD … after closing socket. … Please use stream.close() instead")
      this.services.log.warn(
        `ZMQStream: its ${this.socket.constructor.name} socket was closed directly; the stream on the closed socket is closed now (close it with stream.close())`,
      )
    } else {
      if (linger !== undefined) (this.socket as LingeringSocket).setInt32Option(ZMQ_LINGER, linger)
      this.socket.close()
    }
    if (debug.enabled && (this.receiver.held.length > 0 || this.path.holding))
      debug(
        "ZMQStream.close: dropping %d held messages and any left in a native batch",
        this.receiver.held.length,
      )
    this.receiver.held.length = 0
    this.reportRefused() // before close() returns: they were refused while the stream was open
    this.callbacks.streamClosing()
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
      await this.path.whenReceivesSettled() // a chunk the loop took: its messages are handled first
      this.attachIfSettled()
      while (count < limit && !this.isClosed) {
        let progressed = false
        if (receive) {
          const message = await this.receiver.takeOne(this.path)
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
        this.scheduleHeld() // a limit may have left messages in user space
      }
    }
    return count
  }
}
