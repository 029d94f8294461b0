import type { Socket } from "zeromq"
import { queueMicrotask } from "@zmq-eventloop/ioloop/internal"
import { SEND_BUDGET } from "../constants.js"
import type { SendSink, StreamDataPath } from "../data-path/data-path.js"
import type { Part, QueuedMessage } from "./parts.js"
import { SendQueue } from "./send-queue.js"
import { wouldBlock } from "../would-block.js"

/** What the send side needs from its stream. */
export interface SenderHost {
  readonly socket: Socket
  /** The stream's data path now (it may change while the stream lives; only between sends). */
  readonly path: StreamDataPath
  closed(): boolean
  /** Whether a `flush()` drives the sends now (the loop's chain then stops after the message in flight). */
  flushing(): boolean
  /** `message` was handed to libzmq (`status` undefined) or its send failed with `status`. */
  sent(message: QueuedMessage, status: Error | undefined): void
  /** Whether an `onSend` callback is set: a message sent without a callback of its own is reported to it. */
  hearsOfSends(): boolean
  /** The queue became empty, or a message is waiting for WRITE: interest may have changed. */
  queueChanged(): void
  /** The last queued message was handed to libzmq (or failed) and its callbacks have run. */
  queueEmptied(): void
  /** Queued messages that could not be handed to libzmq before the socket closed. */
  unsent(count: number): void
  /**
   * Whether the socket takes a message now, by its `ZMQ_EVENTS` as the loop knows it (`LoopServices.roomToSend`):
   * asked before a send starts inside a user's `send*()` on a path that settles sends later.
   */
  roomToSend(): boolean
  /**
   * A send the loop's WRITE report allowed came back EAGAIN: `ZMQ_EVENTS` says writable but this message
   * cannot go (a mandatory ROUTER whose peer is full while another has room, an XPUB with `noDrop`).
   * Stop asking for WRITE for `ms`, then try again, instead of spinning on the report.
   */
  retryAfter(ms: number): void
}

type WritableSocket = Socket & { send(parts: unknown, options?: object): Promise<void> }

// The senders with fast-path sends of this job still to report, and one microtask for all of them: per
// sender, a microtask each (queueMicrotask makes an AsyncResource) cost 5 % of the round trips of 5000
// ROUTER<->DEALER pairs, whose streams each send one message per job.
const toReport: Sender[] = []
let reportQueued = false

function reportAtEndOfJob(sender: Sender): void {
  toReport.push(sender)
  if (reportQueued) return
  reportQueued = true
  queueMicrotask(reportAll)
}

function reportAll(): void {
  // A report's onSend may send again: its sender joins the list, and is reached in this same pass.
  for (let index = 0; index < toReport.length; index++) toReport[index]!.reportSentNow()
  toReport.length = 0
  reportQueued = false
}

// Back-off after WRITE dispatches whose first send comes back EAGAIN although the socket reported WRITE
// (a mandatory ROUTER reports WRITE whatever its peers' pipes hold): the first few retry at once, as a
// peer that reads will soon make room; past REFUSALS_BEFORE_BACKOFF in a row the stream waits 1 ms,
// doubling to 16 ms, until a send goes out. Measured without it: a mandatory ROUTER with one peer that
// does not read spun at 0.8-2 s of CPU per 2 s.
const REFUSALS_BEFORE_BACKOFF = 8
const FIRST_RETRY_MS = 1
const LAST_RETRY_MS = 16

/** What happened to the message at the head of the queue. */
export type SendOutcome = "sent" | "failed" | "again" | "empty"

/**
 * The send side of a stream, whatever its data path: a FIFO of validated messages, handed to the data path
 * one at a time and in order; the path reports each outcome at once (native) or when zeromq.js's promise
 * settles (the socket's `sendTimeout` is 0, so that is within the same job; EAGAIN: no room).
 *
 * From a WRITE dispatch, each send is chained from the previous one's outcome, up to `SEND_BUDGET`
 * messages (then the loop dispatches again while writable). On EAGAIN (or EFSM) the message stays at the
 * head and the stream waits for WRITE. Only one send is ever in flight, so each message reaches libzmq exactly once
 * and in order; libzmq keeps a multipart message atomic at the high-water mark.
 *
 * After the stream closed, no outcome reaches a user callback: a send still in flight then is counted in
 * the unsent report when it fails, and silent when it went out (pyzmq's `close()` drops its queue unseen).
 */
export class Sender implements SendSink {
  private readonly queue = new SendQueue()
  /** The head message, as handed to the data path while its send is in flight. */
  private current: QueuedMessage | null = null
  private inFlight = false
  /** The head is reserved for a send that waits for the path's receives to settle (see `sendCurrent`). */
  private headWaits = false
  private lastOutcome: SendOutcome = "empty"
  private budget = 0
  private refusedInARow = 0
  private idleWaiters: Array<() => void> = []
  /** What `trySendNow` handed to libzmq in this job, for the report at its end (as a settled send's). */
  private sentNow: Part[][] = []
  /**
   * Parts sent with SNDMORE, held until their message's last part comes: then the whole message is queued
   * (zeromq.js sends whole messages; libzmq would keep it atomic anyway). Dropped unsent when the stream closes.
   */
  private heldParts: Part[] | null = null

  constructor(private readonly host: SenderHost) {}

  /** Messages waiting, the one in flight included. */
  get length(): number {
    return this.queue.length
  }

  /**
   * Messages not yet handed to libzmq: the queue less the one in flight (zeromq.js has taken it and only
   * its report is to come; if libzmq refused it for now, it is waiting again once that report came).
   */
  get waiting(): number {
    return this.length - (this.inFlight ? 1 : 0)
  }

  /** The bytes of the {@link waiting} messages (`QueuedMessage.bytes`). */
  get waitingBytes(): number {
    return this.queue.queuedBytes - (this.inFlight ? this.current!.bytes : 0)
  }

  push(message: QueuedMessage): void {
    this.queue.push(message)
  }

  /** Holds `parts` (sent with SNDMORE) for the message that a later send without it completes. */
  holdParts(parts: Part[]): void {
    this.heldParts = this.heldParts === null ? parts : this.heldParts.concat(parts)
  }

  /** How many parts sent with SNDMORE are held. */
  get heldPartCount(): number {
    return this.heldParts === null ? 0 : this.heldParts.length
  }

  /** The whole message that `parts` complete: the held parts, then these. */
  completeMessage(parts: Part[]): Part[] {
    if (this.heldParts === null) return parts
    const message = this.heldParts.concat(parts)
    this.heldParts = null
    return message
  }

  whenIdle(): Promise<void> {
    if (!this.inFlight) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  // ---- the fast path: a chain of sends per WRITE dispatch -------------------------------------------------

  /** Starts a chain of sends (the loop saw the socket writable). */
  pushOut(): void {
    if (this.inFlight || this.length === 0) return
    this.budget = SEND_BUDGET
    this.sendHead()
  }

  /** Whether a send is in flight (its outcome is still to come from zeromq.js's promise). */
  get sendInFlight(): boolean {
    return this.inFlight
  }

  private sendHead(): void {
    this.current = this.queue.at(0)
    this.inFlight = true
    this.sendCurrent()
  }

  /**
   * Hands the head message to the data path, once no receive of a socket that forbids receiving ahead
   * (`mayReceiveAhead`) is waiting for its recv callback. A send processes libzmq's pending commands, and
   * for an XPUB in manual mode a peer's pipe ending there clears the "last pipe" that the callback's
   * `ZMQ_SUBSCRIBE` applies to: the subscription went to nobody (a Jupyter kernel's iopub lost frontends'
   * subscriptions during output floods on the zeromq.js path, whose recv callbacks run after the dispatch).
   */
  private readonly sendCurrent = (): void => {
    const path = this.host.path
    if (path.settling && path.recheckAfterSettling) {
      this.headWaits = true
      void path.whenReceivesSettled().then(this.sendWaitingHead)
      return
    }
    path.send(this.current!, this)
    // The last queued message is in flight: drop WRITE interest now rather than when it settles, so the
    // loop's re-check after this dispatch does not schedule one more dispatch for nothing.
    if (this.inFlight && this.length === 1) this.host.queueChanged()
  }

  private readonly sendWaitingHead = (): void => {
    if (!this.headWaits) return // close() took it meanwhile
    this.headWaits = false
    this.sendCurrent()
  }

  // ---- the ping-pong fast path: a message sent while nothing is queued goes inside send*() ------------------
  // Only for a message nobody waits to hear about (no send options, no per-send callback, no onSend): the
  // notices of the others come from the loop, not from inside the `send*()` call. Both data paths take it
  // there, so `sending()` says the same on both: the native path without a queue entry (trySendNow), the
  // zeromq.js path as the queue's head in flight (startAlone), whose report comes from a promise. On both,
  // the report comes at the end of the job that sent it, to an onSend registered by then: pyzmq's send is
  // deferred, so `send(m); onSend(cb)` hears of `m` there.

  /**
   * The native half: with nothing queued, hands `parts` to libzmq now and returns whether it went (false:
   * queue it). The caller must tell the loop (the native call may have consumed the socket's edge).
   */
  trySendNow(parts: Part[]): boolean {
    if (this.length > 0 || this.host.flushing() || !this.host.path.sendNow(parts)) return false
    if (this.sentNow.push(parts) === 1) reportAtEndOfJob(this)
    return true
  }

  /** Reports what `trySendNow` handed to libzmq, to `onSend` if one is set now (see `reportAtEndOfJob`). */
  reportSentNow(): void {
    if (this.sentNow.length === 0) return
    if (this.host.closed() || !this.host.hearsOfSends()) {
      this.sentNow.length = 0 // the usual case: no report, and the array serves the next job
      return
    }
    const sent = this.sentNow
    this.sentNow = [] // an onSend callback may send again meanwhile
    for (const parts of sent) {
      if (this.host.closed()) return
      this.host.sent({ body: parts, sendOptions: undefined, callback: null, bytes: 0 }, undefined)
    }
  }

  /** The zeromq.js half, after `push()`: starts the only queued message's send when the socket has room. */
  startAlone(): void {
    if (this.length !== 1 || this.inFlight || this.host.flushing()) return
    if (!this.host.path.settlesSendsLater || !this.host.roomToSend()) return
    // A chain, as from a WRITE dispatch: what is queued behind it in this job goes once it settled, as on the
    // native path, whose WRITE dispatch in the same loop iteration sends it (not one iteration later).
    this.budget = SEND_BUDGET
    this.sendHead()
  }

  sendDone(): void {
    this.lastOutcome = "sent"
    this.refusedInARow = 0
    this.settle(this.take(), undefined)
  }

  sendFailed(error: unknown): void {
    this.lastOutcome = wouldBlock(error) ? "again" : "failed"
    if (wouldBlock(error)) {
      // No room: the message stays at the head until the loop reports WRITE (or close() reports it unsent).
      this.inFlight = false
      if (this.host.closed()) {
        this.take()
        this.host.unsent(1)
      } else if (
        this.budget === SEND_BUDGET && // the first send of a WRITE dispatch: WRITE reported, yet refused
        !this.host.flushing() &&
        ++this.refusedInARow > REFUSALS_BEFORE_BACKOFF
      ) {
        const doublings = Math.min(this.refusedInARow - REFUSALS_BEFORE_BACKOFF - 1, 4)
        this.host.retryAfter(Math.min(FIRST_RETRY_MS * 2 ** doublings, LAST_RETRY_MS))
      } else {
        this.host.queueChanged()
      }
      return this.wakeIdle()
    }
    this.settle(this.take(), error as Error)
  }

  private settle(message: QueuedMessage, status: Error | undefined): void {
    this.inFlight = false
    if (this.host.closed()) {
      if (status !== undefined) this.host.unsent(1)
      return this.wakeIdle()
    }
    // A message sent now in this job went before this one: its report comes first (a loop callback's
    // send*() and the WRITE dispatch after it run in one job).
    if (this.sentNow.length > 0) this.reportSentNow()
    this.host.sent(message, status)
    if (this.length === 0 && !this.host.closed()) this.host.queueEmptied()
    // A callback above sent a message at once on a path that settles later (startAlone): that send is the
    // one in flight now, and its settlement goes on from here. Sending the head again would send it twice.
    if (this.inFlight) return
    if (this.length > 0 && --this.budget > 0 && !this.host.closed() && !this.host.flushing()) {
      return this.sendHead()
    }
    if (!this.host.closed()) this.host.queueChanged()
    this.wakeIdle()
  }

  private take(): QueuedMessage {
    const message = this.current!
    this.current = null
    this.queue.shift()
    return message
  }

  private wakeIdle(): void {
    if (this.idleWaiters.length === 0) return
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const resolve of waiters) resolve()
  }

  // ---- flush and close ------------------------------------------------------------------------------------

  /** One send for `flush()`: resolves to what happened to the head message. */
  async sendOne(): Promise<SendOutcome> {
    // A send in flight (a chain the loop started, or another flush's: flushes may overlap) settles first;
    // starting ours beside it would hand the same head message to libzmq twice.
    while (this.inFlight) await this.whenIdle()
    if (this.length === 0) return "empty"
    this.budget = 1
    this.sendHead()
    await this.whenIdle()
    return this.lastOutcome
  }

  /**
   * For `close()`, before the socket closes: hands queued messages to libzmq in order while the socket is
   * writable (one `ZMQ_EVENTS` check each), without callbacks (the stream is closed: pyzmq's `close()` drops
   * its queue unseen), and drops the rest. Returns how many were dropped now; those libzmq refuses after all
   * are reported later, in one `unsent` report, once zeromq.js has settled them. Nothing is sent on a socket
   * closed elsewhere (`socketClosed`; zeromq.js may not show it closed yet, while a bind holds it).
   */
  drainForClose(socketClosed: boolean): number {
    const socket = this.host.socket as WritableSocket
    // Parts held with SNDMORE are a message that never got its last part: one message unsent.
    let dropped = 0
    if (this.heldParts !== null) {
      this.heldParts = null
      dropped++
    }
    // A head still waiting for receives to settle was never handed over: it goes first, with the rest.
    const tookWaitingHead = this.headWaits
    if (tookWaitingHead) {
      this.headWaits = false
      this.inFlight = false
      this.current = null
    }
    // A send in flight holds the head: it has been handed to libzmq (or came back EAGAIN, reported by
    // sendFailed as unsent). Either way it is no longer ours to send.
    let index = this.inFlight ? 1 : 0
    let refused = 0
    const settling: Promise<unknown>[] = []
    const countRefused = (): void => void refused++
    while (index < this.queue.length && !socketClosed && !socket.closed && socket.writable) {
      const message = this.queue.at(index++)
      try {
        const result =
          message.sendOptions === undefined
            ? socket.send(message.body)
            : socket.send(message.body, message.sendOptions)
        settling.push(result.catch(countRefused))
      } catch {
        dropped++ // thrown, not rejected: bad options for this socket type, or the socket closed
      }
    }
    if (settling.length > 0) {
      void Promise.all(settling).then(() => {
        if (refused > 0) this.host.unsent(refused)
      })
    }
    dropped += this.queue.length - index
    this.queue.truncate(this.inFlight ? 1 : 0)
    if (tookWaitingHead) this.wakeIdle()
    return dropped
  }
}
