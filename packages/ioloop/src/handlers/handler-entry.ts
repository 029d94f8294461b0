import type { Socket } from "zeromq"
import { ERROR, MAX_FD, READ, WRITE, ZMQ_POLLIN, ZMQ_POLLOUT } from "../constants.js"
import { ZeromqJsReader, type SocketReader } from "./socket-reader.js"
import { describeValue } from "../validate.js"

/** What `IOLoop.addHandler` watches: a zeromq.js socket, or a plain file descriptor (fd poller only). */
export type HandlerTarget = Socket | number

/** Called with the target and the `READ | WRITE | ERROR` bits that hold for it now (only registered ones). */
export type Handler<T extends HandlerTarget = HandlerTarget> = (target: T, events: number) => unknown

/** The part of a zeromq.js socket the loop uses (`getInt32Option` is protected in zeromq.js's typings). */
export interface ZmqSocketAccess {
  readonly closed: boolean
  getInt32Option(option: number): number
}

/** Whether `value` looks like a zeromq.js socket (duck-typed, so two copies of zeromq.js both work). */
export function isZmqSocket(value: unknown): value is Socket {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Partial<ZmqSocketAccess>).getInt32Option === "function" &&
    typeof (value as Partial<ZmqSocketAccess>).closed === "boolean"
  )
}

/** Throws `TypeError("target must be …")` unless `value` is a zeromq.js socket or a file descriptor. */
export function checkTarget(value: unknown): asserts value is HandlerTarget {
  if (isZmqSocket(value)) return
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_FD) return
  throw new TypeError(
    `target must be a zeromq socket or a file descriptor, got ${describeValue(value)} (a zeromq.js socket, or an integer fd 0 to 2^31-1)`,
  )
}

/** What keeps a registration on the program's behalf (see {@link HandlerEntry.owner}). */
export interface HandlerOwner {
  /** Its class, named in the loop's refusal: `"ZMQStream"`. */
  readonly name: string
  /** How the program makes it let go, the end of the refusal's message. */
  readonly release: string
}

/** One registered target: its handler, its interest, and what the pollers learned about it. */
export class HandlerEntry {
  readonly target: HandlerTarget
  /** The socket for zmq targets, `null` for plain file descriptors. */
  readonly socket: ZmqSocketAccess | null
  /** How the loop reads the socket's state (`null` for plain file descriptors). */
  reader: SocketReader | null
  /** The handler wrapped in the stack contexts of `addHandler`'s caller. */
  readonly handler: Function
  /** The handler as given, for log lines. */
  readonly original: Function
  /** Registered interest; `ERROR` is always included. */
  events: number
  /** Set by `removeHandler`, so a removal during an iteration is seen by the rest of that iteration. */
  removed = false
  /**
   * What registered it and keeps it, when that is not the user (a ZMQStream, a Poller): the loop's public
   * `updateHandler`/`removeHandler` refuse it, as changing it behind its owner's back would leave the owner
   * deaf, sending into a registration that is gone, or polling a socket that can no longer wake it.
   */
  owner: HandlerOwner | null = null
  /** Events the fd watcher reported for a plain fd since the last dispatch. */
  fdEvents = 0
  /**
   * `ZMQ_EVENTS` of a zmq socket as last read (loop bits), or -1 when it may have changed since: the fd
   * signalled, or code called the socket. Saves a ~3.5 µs getsockopt per dispatch.
   */
  knownEvents = -1
  /**
   * Whether the socket's last `ZMQ_EVENTS` read said `WRITE`, with no signal since and no call that can take
   * its room (anything but a receive or a `readable`/`writable` read): a send may start without reading it
   * again. Only libzmq's processing of a disconnect inside such a receive could have taken the room since; a
   * send started then comes back EAGAIN and waits for `WRITE` like any other.
   */
  roomSeen = false
  /**
   * `READ`/`WRITE` bits that the last call on the socket proved not to hold (a receive that hit EAGAIN
   * proves `READ` clear): told by whoever made the call, forgotten at the next call or signal.
   */
  provenClear = 0
  /**
   * Set by the re-check after the handler when the socket was still ready: the next call repeats without a
   * new signal, which tells a handler it is in a burst.
   */
  stillReady = false
  /**
   * Set while receives its handler started settle after it (`LoopServices.recheckAfterSettling`): the loop
   * reads nothing of the socket meanwhile. Cleared by the `noteCall` that says they settled.
   */
  settling = false
  /** bind/unbind operations zeromq.js runs on a worker thread for this socket now: hands off meanwhile. */
  workerOperations = 0
  /**
   * The handler finds out itself, as cheaply as `ZMQ_EVENTS` would tell, whether the socket is readable (a
   * ZMQStream on the native data path: its receive that finds nothing costs what the getsockopt does, and
   * proves READ clear). While the interest is READ only, a signal or call is then dispatched as READ
   * without reading `ZMQ_EVENTS` first: one libzmq call (and its syscalls) less per message that wakes it.
   * Set with the native {@link reader} (`HandlerTable.readThrough`).
   */
  verifiesRead = false
  /** Stack where the handler was added, kept only while a blocking-log threshold is set. */
  readonly origin: string | undefined

  constructor(target: HandlerTarget, handler: Function, original: Function, events: number, origin?: string) {
    this.target = target
    this.socket = typeof target === "number" ? null : (target as unknown as ZmqSocketAccess)
    this.reader = this.socket === null ? null : new ZeromqJsReader(this.socket)
    this.handler = handler
    this.original = original
    this.events = events | ERROR
    this.origin = origin
  }

  /** Forgets what was read about the socket, and that it was in a burst: its fd signalled anew. */
  forget(): void {
    this.forgetEvents()
    this.roomSeen = false
    this.stillReady = false
  }

  /** Records what a `ZMQ_EVENTS` read (loop bits) just said. */
  learnEvents(events: number): void {
    this.knownEvents = events
    this.roomSeen = (events & WRITE) !== 0
  }

  /**
   * Forgets what was read about the socket: code called it (the call may have consumed the edge or changed
   * its state). A burst stays one: no new signal came, so the handler's next call, if the socket is still
   * ready, is still a repeat (a reply sent from a recv callback must not reset a zeromq.js chunk's growth).
   */
  forgetEvents(): void {
    this.knownEvents = -1
    this.provenClear = 0
  }

  /**
   * Whether the last call on the socket already proved that none of the registered events holds, so reading
   * `ZMQ_EVENTS` (~8 µs on a cold socket among thousands) would only say so again. That call also re-armed
   * the `ZMQ_FD` edge (libzmq processes the socket's pending commands in it), so the fd signals anew.
   */
  provenIdle(): boolean {
    return (
      this.provenClear !== 0 &&
      (this.events & (READ | WRITE) & ~this.provenClear) === 0 &&
      !this.reader!.closed &&
      this.workerOperations === 0
    )
  }

  /** Whether to dispatch READ without reading `ZMQ_EVENTS` (see {@link verifiesRead}). */
  assumesRead(): boolean {
    return (
      this.verifiesRead &&
      (this.events & WRITE) === 0 &&
      (this.events & READ) !== 0 &&
      this.workerOperations === 0 &&
      !this.reader!.closed
    )
  }

  /**
   * The loop events that hold for a zmq socket now, read from `ZMQ_EVENTS` (which also re-arms the
   * `ZMQ_FD` edge signal). A closed socket reports `ERROR`.
   */
  readZmqEvents(): number {
    const reader = this.reader!
    if (reader.closed) return ERROR
    if (this.workerOperations > 0) return 0 // libzmq sockets are not thread-safe; checked again once it settles
    let zmqEvents: number
    try {
      zmqEvents = reader.events()
    } catch {
      return ERROR // closed by its context's termination, or closing right now
    }
    return (zmqEvents & ZMQ_POLLIN ? READ : 0) | (zmqEvents & ZMQ_POLLOUT ? WRITE : 0)
  }
}
