import type { SocketReader } from "@zmq-eventloop/ioloop/internal"
import type { Part, QueuedMessage } from "../send/parts.js"

/** How a stream moves messages: through the addon straight into libzmq, or through zeromq.js's calls. */
export type DataPath = "native" | "zeromq.js"

/** Where a data path hands the messages it takes from libzmq, and their failures. */
export interface ReceiveSink {
  /** Whether a message taken now would be delivered (a recv callback is set, the loop runs, the stream is open). */
  accepting(): boolean
  /** One message taken from libzmq, in order. */
  received(message: Buffer[]): void
  /** A receive failed; EAGAIN-like codes included (the sink filters them). */
  receiveFailed(error: unknown): void
}

/** Where a data path reports how the send it started ended: at once, or from a promise's settlement. */
export interface SendSink {
  /** The message was handed to libzmq. */
  sendDone(): void
  /** The send failed; EAGAIN-like codes (no room now) included. */
  sendFailed(error: unknown): void
}

/**
 * How one stream moves messages between libzmq and JavaScript (DESIGN.md "One interface, two
 * implementations"): the addon's native calls, or zeromq.js's `receive()`/`send()` with timeout 0. The
 * stream chooses one in `chooseDataPath()` and may swap it while it lives (a socket mid-bind attaches
 * natively once the bind settles), so everything the stream itself keeps (the held list, the send queue)
 * lives outside the path, and a path only answers for what it holds itself.
 */
export interface StreamDataPath {
  readonly name: DataPath
  /**
   * How this path reads libzmq around zeromq.js (the native path itself), or `null` for a path that goes
   * through zeromq.js's calls. Around zeromq.js, the loop does not see the path's calls consume the socket's
   * `ZMQ_FD` edge, so the stream tells it after each (zeromq.js's calls are noted by the loop), and the loop
   * reads the socket's `closed` and `ZMQ_EVENTS` through this reader too (`LoopServices.readThrough`), so
   * that the path's traffic calls no zeromq.js code.
   */
  readonly socketReader: SocketReader | null
  /**
   * Whether messages taken from libzmq wait inside this path, where `ZMQ_EVENTS` no longer shows them
   * (the rest of a native batch). While this holds and a recv callback is set, the stream keeps a
   * delivery scheduled on the loop: the socket may never wake it for them.
   */
  readonly holding: boolean
  /** Whether messages this path took from libzmq wait in it now, not yet handed to the sink. */
  readonly hasTaken: boolean
  /**
   * For a `receive()` on the socket: the next message this path took from libzmq and has not handed to the
   * sink yet (the rest of a native batch, a zeromq.js chunk in flight), taken out now so the sink never gets
   * it, or `undefined` when it holds none.
   */
  takeHeld(): Promise<Buffer[]> | undefined
  /** Whether a receive this path started is still to settle (a swap waits for it; the send queue knows its own). */
  readonly settling: boolean
  /**
   * Whether the loop must not read the socket's `ZMQ_EVENTS` between a READ dispatch and the settling of the
   * receives it started: the recv callbacks run after the dispatch (zeromq.js's promises), and the socket
   * forbids receiving ahead of them (a SUB, whose `ZMQ_EVENTS` read takes the next message through libzmq's
   * filter, before a callback's `unsubscribe` could apply to it; see `mayReceiveAhead`).
   */
  readonly recheckAfterSettling: boolean
  /**
   * The READ dispatch: takes messages from the socket and hands each to `sink.received`, in order, while
   * `sink.accepting()`; at most one bounded batch (fairness between streams). `burst`: the loop calls again
   * because the socket stayed readable. Returns whether the batch ended at a receive that found the socket
   * empty (EAGAIN), proving it unreadable now (the loop then need not read `ZMQ_EVENTS` to learn it).
   */
  receive(sink: ReceiveSink, burst: boolean): boolean
  /**
   * `flush()`'s receive: one message, or `undefined` (or a rejection with EAGAIN) when none is there now.
   * Rejects with any other failure.
   */
  receiveOne(): Promise<Buffer[] | undefined>
  /** Resolves once no receive this path started is in flight. */
  whenReceivesSettled(): Promise<void>
  /** Starts handing `message` to libzmq; the outcome reaches `sink`, now or once zeromq.js settles. */
  send(message: QueuedMessage, sink: SendSink): void
  /**
   * Whether every outcome of {@link send} reaches its sink later, from a promise (zeromq.js), never inside
   * the call: a send can then start inside a user's `send*()` without running user callbacks there.
   */
  readonly settlesSendsLater: boolean
  /**
   * The ping-pong fast path: hands a message without send options to libzmq synchronously, with no queue
   * entry, and returns whether it went; `false` where this path cannot (the caller then queues it, and
   * where {@link settlesSendsLater} starts its send at once).
   */
  sendNow(parts: Part[]): boolean
}
