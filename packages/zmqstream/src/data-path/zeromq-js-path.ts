import type { Socket } from "zeromq"
import {
  collectYoungGenerationIfDue,
  debug,
  noteExternalFrameBytes,
  socketMayReceiveAhead,
} from "@zmq-eventloop/ioloop/internal"
import type { ReceiveSink, SendSink, StreamDataPath } from "./data-path.js"
import type { QueuedMessage } from "../send/parts.js"
import { frameBytes, ReceiveChunks } from "./receive-chunks.js"
import { ZeromqJsSend } from "./zeromq-js-send.js"

type ReadableSocket = Socket & { receive(): Promise<Buffer[]> }

/** zeromq.js hands out a received frame above this many bytes over libzmq's memory (`incoming_msg.cc`). */
const ZEROMQ_JS_EXTERNAL_FRAME_BYTES = 128

/**
 * The zeromq.js data path: gated chunks of `receive()` calls on a socket whose `receiveTimeout` is 0, so
 * each call settles synchronously inside zeromq.js (DESIGN.md "The zeromq.js data path"), and zeromq.js's
 * `send()`.
 *
 * A chunk is issued from the loop's READ dispatch without awaiting between calls; its settled promises are
 * then handed to the sink in order, as microtasks, by two pre-bound handlers (no per-message closure). On a
 * socket that forbids receiving ahead (`mayReceiveAhead`: a SUB, an XPUB) the chunk's calls are issued one
 * by one instead, each once the message before it was handed over. No new chunk starts before the previous
 * one is fully handled (the gate), so messages keep their order. The sink keeps what arrives while no recv
 * callback is set: this path itself holds nothing once a chunk settled.
 */
export class ZeromqJsPath implements StreamDataPath {
  readonly name = "zeromq.js"
  readonly socketReader = null
  readonly holding = false
  readonly settlesSendsLater = true
  private readonly sender: ZeromqJsSend
  private readonly chunks = new ReceiveChunks()
  /** Whether the socket forbids receiving ahead of delivery: a chunk's receives go one by one. */
  private readonly oneByOne: boolean
  /** Receives of the chunk in hand still to issue, one by one. */
  private chunkLeft = 0
  private sink: ReceiveSink | null = null
  private pending = 0
  private chunkGot = 0
  private chunkBytes = 0
  private chunkDrained = false
  private settledWaiters: Array<() => void> = []
  /** Whether this path is issuing a chunk's `receive()` calls (they are its own: no taker's). */
  private issuing = false
  /** `receive()` calls on the socket made while a chunk was handed out: each takes the next result of it. */
  private readonly takers: Array<{ resolve(message: Buffer[]): void; reject(error: unknown): void }> = []

  constructor(private readonly socket: Socket) {
    this.sender = new ZeromqJsSend(socket)
    this.oneByOne = !socketMayReceiveAhead(socket)
  }

  /** One by one, the recv callbacks run after the dispatch: the loop's read in between would filter ahead. */
  get recheckAfterSettling(): boolean {
    return this.oneByOne
  }

  get settling(): boolean {
    return this.pending > 0
  }

  whenReceivesSettled(): Promise<void> {
    if (this.pending === 0) return Promise.resolve()
    return new Promise((resolve) => this.settledWaiters.push(resolve))
  }

  /**
   * Takes up to one chunk of messages from the socket (the loop saw it readable), sized by
   * {@link ReceiveChunks}: `burst` says the loop calls again because the socket stayed readable. Proves
   * nothing (returns `false`): its receives settle later, and zeromq.js's calls are noted by the loop.
   */
  receive(sink: ReceiveSink, burst: boolean): boolean {
    if (this.pending > 0) return false // the gate: the previous chunk is still being handled
    // Here none of the path's frames is in hand: one would outlive the collection, and wait for a full one.
    collectYoungGenerationIfDue()
    const size = this.chunks.next(burst)
    if (debug.enabled) debug("ZMQStream: receive chunk of %d", size)
    this.sink = sink
    this.chunkDrained = false
    this.chunkGot = 0
    this.chunkBytes = 0
    const now = this.oneByOne ? 1 : size
    this.chunkLeft = size - now
    this.issue(now)
    return false
  }

  /** Issues `count` of the chunk's `receive()` calls, without awaiting between them. */
  private issue(count: number): void {
    const socket = this.socket as ReadableSocket
    this.pending += count
    this.issuing = true
    try {
      for (let i = 0; i < count; i++) {
        let result: Promise<Buffer[]>
        try {
          result = socket.receive()
        } catch (error) {
          // Thrown, not rejected: the socket was closed or is busy. Count the rest of the chunk as done.
          this.pending -= count - i - 1
          this.onFailed(error)
          return
        }
        result.then(this.onReceived, this.onFailed)
      }
    } finally {
      this.issuing = false
    }
  }

  get hasTaken(): boolean {
    return this.pending > this.takers.length // results of the chunk in flight that no receive() took
  }

  /** Takes the next result of the chunk in flight, if one is left that no earlier call took. */
  takeHeld(): Promise<Buffer[]> | undefined {
    if (this.issuing || !this.hasTaken) return undefined
    return new Promise((resolve, reject) => this.takers.push({ resolve, reject }))
  }

  receiveOne(): Promise<Buffer[] | undefined> {
    return (this.socket as ReadableSocket).receive() // EAGAIN rejects: the receiver reads it as "none"
  }

  send(message: QueuedMessage, sink: SendSink): void {
    this.sender.send(message, sink)
  }

  sendNow(): boolean {
    return false // zeromq.js reports through a promise: the message needs its queue entry until then
  }

  // ---- settlements ----------------------------------------------------------------------------------------

  // `pending` counts down before the sink runs the recv callback, so a receive() from that callback sees
  // only the results still to come.
  private readonly onReceived = (message: Buffer[]): void => {
    this.chunkGot++
    this.noteBytes(message)
    const last = --this.pending === 0
    if (this.takers.length > 0) this.takers.shift()!.resolve(message)
    else this.sink!.received(message)
    if (last) this.chunkSettled()
  }

  private noteBytes(message: Buffer[]): void {
    let external = 0
    for (let i = 0; i < message.length; i++) {
      const length = frameBytes(message[i])
      this.chunkBytes += length
      if (length > ZEROMQ_JS_EXTERNAL_FRAME_BYTES) external += length
    }
    // zeromq.js reports each such frame to V8 with napi_adjust_external_memory as well: it counts twice.
    if (external > 0) noteExternalFrameBytes(2 * external)
  }

  private readonly onFailed = (error: unknown): void => {
    this.chunkDrained = true
    const last = --this.pending === 0
    if (this.takers.length > 0) this.takers.shift()!.reject(error)
    else this.sink!.receiveFailed(error)
    if (last) this.chunkSettled()
  }

  /** Every receive issued so far settled: the next one of a one-by-one chunk, or the chunk's end. */
  private chunkSettled(): void {
    if (this.chunkLeft > 0 && !this.chunkDrained && this.sink!.accepting()) {
      this.chunkLeft--
      return this.issue(1)
    }
    this.chunkLeft = 0
    this.chunkDone()
  }

  private chunkDone(): void {
    this.chunks.ended(this.chunkGot, this.chunkDrained, this.chunkBytes)
    if (this.settledWaiters.length > 0) {
      const waiters = this.settledWaiters
      this.settledWaiters = []
      for (const resolve of waiters) resolve()
    }
  }
}
