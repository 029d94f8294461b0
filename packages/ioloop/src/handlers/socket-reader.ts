import { ZMQ_EVENTS } from "../constants.js"
import type { ZmqSocketAccess } from "./handler-entry.js"
import { retryInterrupted } from "./interrupted.js"

/**
 * How the loop reads a registered socket's state: through zeromq.js's own getters ({@link ZeromqJsReader}), or
 * through the native data path attached to it (`NativeDataPath`), which calls no zeromq.js code.
 */
export interface SocketReader {
  /** zeromq.js's `socket.closed`. */
  readonly closed: boolean
  /** `ZMQ_EVENTS` (`ZMQ_POLLIN` 1 | `ZMQ_POLLOUT` 2), which also re-arms the `ZMQ_FD` edge; throws once closed. */
  events(): number
}

/** Reads a socket through zeromq.js (every socket, until its handler says otherwise: `HandlerTable.readThrough`). */
export class ZeromqJsReader implements SocketReader {
  constructor(private readonly socket: ZmqSocketAccess) {}

  get closed(): boolean {
    return this.socket.closed
  }

  events(): number {
    // An EINTR thrown through would be taken for a closed socket (the loop reports ERROR for any other error).
    return retryInterrupted(this.readEvents)
  }

  /** Made once: `events()` runs on every wake-up of the socket. */
  private readonly readEvents = (): number => this.socket.getInt32Option(ZMQ_EVENTS)
}
