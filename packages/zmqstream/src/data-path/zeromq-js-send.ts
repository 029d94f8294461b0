import type { Socket } from "zeromq"
import type { SendSink } from "./data-path.js"
import type { QueuedMessage } from "../send/parts.js"

type WritableSocket = Socket & { send(parts: unknown, options?: object): Promise<void> }

/**
 * zeromq.js's `send()` on a socket whose `sendTimeout` is 0: it settles synchronously inside zeromq.js
 * (EAGAIN rejects: no room) and reports through its promise, so every outcome reaches the sink later, never
 * inside `send()` (a thrown error too). One send at a time (the stream's queue sends its head only), so the
 * settlement handlers are bound once and the sink is a field, not a closure per send.
 */
export class ZeromqJsSend {
  private sink: SendSink | null = null

  constructor(private readonly socket: Socket) {}

  send(message: QueuedMessage, sink: SendSink): void {
    let result: Promise<void>
    try {
      const socket = this.socket as WritableSocket
      result =
        message.sendOptions === undefined
          ? socket.send(message.body)
          : socket.send(message.body, message.sendOptions)
    } catch (error) {
      // Thrown, not rejected (a socket closed or held by a bind): a failed send, reported as a rejection is.
      result = Promise.reject(error as Error)
    }
    this.sink = sink
    result.then(this.onSent, this.onFailed)
  }

  private readonly onSent = (): void => this.takeSink().sendDone()

  private readonly onFailed = (error: unknown): void => this.takeSink().sendFailed(error)

  private takeSink(): SendSink {
    const sink = this.sink!
    this.sink = null
    return sink
  }
}
