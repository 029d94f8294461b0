import { fstatSync } from "node:fs"
import { ERROR, READ, WRITE, ZMQ_FD } from "../constants.js"
import { errorCode, UnwatchableFdError } from "../errors.js"
import type { HandlerEntry } from "../handlers/handler-entry.js"
import { FD_ERROR, type FdSet } from "../native/fd-set.js"
import { UV_READABLE, UV_WRITABLE, type FdWatcher, type FdWatcherConstructor } from "../native/fd-watcher.js"
import type { Poller, ReadySink } from "./poller.js"

function uvEventsFor(interest: number): number {
  return (interest & READ ? UV_READABLE : 0) | (interest & WRITE ? UV_WRITABLE : 0)
}

/** Loop bits for an fd set's result: the ready `UV_*` bits and `FD_ERROR`, or a negative libuv error. */
function loopEventsFrom(result: number): number {
  if (result < 0) return ERROR
  return (
    (result & UV_READABLE ? READ : 0) | (result & UV_WRITABLE ? WRITE : 0) | (result & FD_ERROR ? ERROR : 0)
  )
}

/** epoll refuses an fd whose file has no poll support (EPERM): say so, for the argument it came as. */
function unwatchableFd(entry: HandlerEntry, error: unknown): UnwatchableFdError {
  return new UnwatchableFdError(
    `target: fd ${String(entry.target)} cannot be watched: epoll refuses it (EPERM), as a regular file, a ` +
      "directory or a device without poll support (/dev/null), which is always ready: read or write it directly",
    { cause: error },
  )
}

/**
 * The `ZMQ_FD` of a registered socket. libzmq's thread-safe (draft) sockets, SERVER, CLIENT, RADIO, DISH,
 * SCATTER and GATHER, have none (EINVAL): the interval poller asks their `ZMQ_EVENTS` instead.
 */
function socketFd(entry: HandlerEntry): number {
  try {
    return entry.socket!.getInt32Option(ZMQ_FD)
  } catch (error) {
    if (errorCode(error) !== "EINVAL") throw error
    throw new TypeError(
      `target: the ${entry.target.constructor.name} socket has no ZMQ_FD (libzmq's thread-safe draft ` +
        `sockets have none), so the fd poller cannot watch it: use a loop with the interval poller, ` +
        `new IOLoop({ poller: "interval" })`,
      { cause: error },
    )
  }
}

/** One watched target: its entry and the fd the set holds for it (a socket's `ZMQ_FD`, or the plain fd). */
interface Member {
  readonly entry: HandlerEntry
  readonly fd: number
  /** For a plain fd, the open file it was registered as (`fileOf`); a socket's is known by `closed`. */
  readonly file: string | undefined
}

/** The identity of the open file behind `fd` (device and inode), or `undefined` when the fd is closed. */
function fileOf(fd: number): string | undefined {
  try {
    const { dev, ino } = fstatSync(fd)
    return `${dev}:${ino}`
  } catch {
    return undefined
  }
}

/** Two targets on one fd of the set (epoll's EEXIST): a socket's `ZMQ_FD` given as a plain fd too. */
function watchedTwice(entry: HandlerEntry, fd: number, error: unknown): TypeError {
  return new TypeError(
    entry.socket === null
      ? `target: fd ${fd} is already watched by this loop as the ZMQ_FD of a socket registered with it: watch the socket, not its fd`
      : `target: the socket's ZMQ_FD (fd ${fd}) is already registered with this loop as a plain fd: remove that handler first`,
    { cause: error },
  )
}

/** Room for this many ready members per wake-up; more stay ready in the set for the next one. */
const READY_BATCH = 1024

/**
 * The default poller: the loop's own epoll set (`FdSet`), watched by one native watcher (uv_poll on Node's
 * own loop), so the loop holds one fd however many targets it watches. A zmq socket's member is its
 * `ZMQ_FD` itself, for readability only (libzmq: "poll for ZMQ_POLLIN only"; the fd signals any state
 * change); a plain fd is watched for the registered interest. One wake-up hands the loop every ready target
 * at once (up to {@link READY_BATCH}), with one call from native code instead of one per target.
 */
export class FdPoller implements Poller {
  readonly kind = "fd"
  /** The set's fd: the watcher's own dup of it (see the constructor), so valid until the watcher closes. */
  private readonly set: number
  private readonly watcher: FdWatcher
  /** Members by token (the index); a free slot is `undefined`. */
  private readonly members: Array<Member | undefined> = []
  private readonly freeTokens: number[] = []
  private readonly tokens = new Map<HandlerEntry, number>()
  private readonly ready = new Int32Array(2 * READY_BATCH)
  private closed = false

  /**
   * @throws an `Error` with `code` when the set cannot be made (`EMFILE` at the fd limit).
   */
  constructor(
    Watcher: FdWatcherConstructor,
    private readonly fdSet: FdSet,
    private readonly sink: ReadySink,
  ) {
    // The watcher watches a dup of the set's fd and closes it with itself, also when it is collected
    // unclosed (a dropped loop): with the original closed at once, that dup is the set's only fd, and the
    // set goes with the watcher.
    const created = fdSet.create()
    try {
      this.watcher = new Watcher(created, true, this.onWake)
    } finally {
      fdSet.close(created)
    }
    this.set = this.watcher.fd
  }

  register(entry: HandlerEntry): void {
    const socket = entry.socket
    const fd = socket === null ? (entry.target as number) : socketFd(entry)
    const token = this.freeTokens.pop() ?? this.members.length
    try {
      this.fdSet.add(this.set, fd, socket === null ? uvEventsFor(entry.events) : UV_READABLE, token)
    } catch (error) {
      this.freeTokens.push(token)
      const code = errorCode(error)
      if (socket === null && code === "EPERM") throw unwatchableFd(entry, error)
      if (code === "EEXIST") throw watchedTwice(entry, fd, error)
      throw error
    }
    this.members[token] = { entry, fd, file: socket === null ? fileOf(fd) : undefined }
    this.tokens.set(entry, token)
  }

  modify(entry: HandlerEntry): void {
    if (entry.socket !== null) return // a socket's ZMQ_FD is watched for readability whatever the interest
    const token = this.tokens.get(entry)!
    const member = this.members[token]!
    if (this.holds(member)) this.fdSet.modify(this.set, member.fd, uvEventsFor(entry.events), token)
  }

  unregister(entry: HandlerEntry): void {
    const token = this.tokens.get(entry)
    if (token === undefined) return
    this.tokens.delete(entry)
    const member = this.members[token]!
    this.members[token] = undefined
    this.freeTokens.push(token)
    if (this.holds(member)) this.fdSet.remove(this.set, member.fd)
  }

  /**
   * Whether the set's member for `member.fd` is still this target's: the set knows a member by fd number,
   * and the number of an fd closed while registered may belong to another file by now (a new socket's
   * ZMQ_FD, in this set too), which a removal or change by number would hit instead. Closing an fd takes it
   * out of the set (a closed socket's, once libzmq's reaper closes it; until then a wake-up for its token
   * finds the slot empty, or reaches the slot's next member for nothing: a member is always checked before
   * its handler runs).
   */
  private holds(member: Member): boolean {
    const socket = member.entry.socket
    return socket === null ? fileOf(member.fd) === member.file : !socket.closed
  }

  private readonly onWake = (): void => {
    if (this.closed) return
    const count = this.fdSet.wait(this.set, this.ready)
    let reported = false
    for (let index = 0; index < count; index++) {
      const member = this.members[this.ready[2 * index]!]
      if (member === undefined) continue
      const entry = member.entry
      if (entry.socket === null) entry.fdEvents |= loopEventsFrom(this.ready[2 * index + 1]!)
      else entry.forget()
      this.sink.mayBeReady(entry)
      reported = true
    }
    if (reported) this.sink.woke()
  }

  readyNow(entry: HandlerEntry): number {
    if (entry.socket !== null) return entry.readZmqEvents()
    return loopEventsFrom(this.fdSet.check(entry.target as number, uvEventsFor(entry.events)))
  }

  resume(): void {
    if (!this.closed) this.watcher.start(UV_READABLE)
  }

  pause(): void {
    if (!this.closed) this.watcher.stop()
  }

  close(): void {
    this.closed = true
    this.watcher.close()
    this.members.length = 0
    this.freeTokens.length = 0
    this.tokens.clear()
  }
}
