import type { Socket } from "zeromq"
import type { NativeDataPath, SocketReader } from "@zmq-eventloop/ioloop/internal"
import type { ReceiveSink, SendSink, StreamDataPath } from "./data-path.js"
import type { Part, QueuedMessage } from "../send/parts.js"
import { messageBytes, ReceiveChunks } from "./receive-chunks.js"
import { ZeromqJsSend } from "./zeromq-js-send.js"

/**
 * The native data path: the addon reads and writes libzmq directly on the zeromq.js socket (DESIGN.md "The
 * native data path"). Messages come out of the addon's batch synchronously, one at a time, each delivered
 * before the next is taken, so the READ dispatch itself calls the recv callback (no microtask per message),
 * and a `stopOnRecv()` (or a close) from a callback leaves the rest in the batch: {@link holding} then says
 * so, and the stream keeps a delivery scheduled for them.
 */
export class NativePath implements StreamDataPath {
  readonly name = "native"
  readonly settling = false
  readonly recheckAfterSettling = false // its recv callbacks run inside the dispatch
  readonly settlesSendsLater = false
  /** Sends with options only zeromq.js handles (routingId, group); made at the first such send. */
  private optionSender: ZeromqJsSend | null = null
  private readonly chunks = new ReceiveChunks()

  constructor(
    private readonly socket: Socket,
    private readonly native: NativeDataPath,
  ) {}

  get socketReader(): SocketReader {
    return this.native
  }

  get holding(): boolean {
    return this.native.buffered
  }

  get hasTaken(): boolean {
    return this.native.handingOut
  }

  receive(sink: ReceiveSink, burst: boolean): boolean {
    // The addon fetches whole batches; how many of them a dispatch hands out follows the zeromq.js path's
    // rule. What a chunk leaves in the batch comes from the delivery the stream then schedules. A full chunk
    // fetches the next batch without handing it out: finding libzmq empty there costs no loop turn.
    const limit = this.chunks.next(burst)
    let got = 0
    let bytes = 0
    let drained = false
    try {
      for (; got < limit && sink.accepting(); got++) {
        const message = this.native.receive()
        if (message === undefined) {
          drained = true
          break
        }
        bytes += messageBytes(message)
        sink.received(message)
      }
      if (!drained && got === limit && sink.accepting()) drained = !this.native.prefetch()
    } catch (error) {
      sink.receiveFailed(error)
    }
    this.chunks.ended(got, drained, bytes)
    return drained
  }

  takeHeld(): Promise<Buffer[]> | undefined {
    // Only from the batch in hand: a fetch here would leave the rest of a new batch for the stream to
    // deliver, unseen by the loop; without a batch, zeromq.js's receive() reads libzmq itself.
    return this.hasTaken ? Promise.resolve(this.native.receive()!) : undefined
  }

  receiveOne(): Promise<Buffer[] | undefined> {
    try {
      return Promise.resolve(this.native.receive())
    } catch (error) {
      return Promise.reject(error as Error)
    }
  }

  whenReceivesSettled(): Promise<void> {
    return Promise.resolve()
  }

  send(message: QueuedMessage, sink: SendSink): void {
    if (message.sendOptions !== undefined) {
      this.optionSender ??= new ZeromqJsSend(this.socket)
      return this.optionSender.send(message, sink)
    }
    let sent: boolean
    try {
      sent = this.native.send(message.body)
    } catch (error) {
      return sink.sendFailed(error)
    }
    if (sent) sink.sendDone()
    else sink.sendFailed(WOULD_BLOCK)
  }

  sendNow(parts: Part[]): boolean {
    try {
      return this.native.send(parts)
    } catch {
      return false // queued instead: the loop's send reports the error through onSend/onErr
    }
  }
}

/** What a native send that would block is reported as (the zeromq.js path rejects with this code). */
const WOULD_BLOCK = { code: "EAGAIN" }
