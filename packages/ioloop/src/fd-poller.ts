import { ERROR, READ, WRITE, ZMQ_FD } from "./constants.js"
import { UnwatchableFdError } from "./errors.js"
import type { HandlerEntry } from "./handler-entry.js"
import type { FdSet } from "./native/fd-set.js"
import { UV_READABLE, UV_WRITABLE, type FdWatcher, type FdWatcherConstructor } from "./native/fd-watcher.js"
import type { Poller, ReadySink } from "./poller.js"

function uvEventsFor(interest: number): number {
  return (interest & READ ? UV_READABLE : 0) | (interest & WRITE ? UV_WRITABLE : 0)
}

/** Loop bits for an fd set's result: the ready `UV_*` bits, or a negative libuv error. */
function loopEventsFrom(result: number): number {
  if (result < 0) return ERROR
  return (result & UV_READABLE ? READ : 0) | (result & UV_WRITABLE ? WRITE : 0)
}

/** epoll refuses an fd whose file has no poll support (EPERM): say so, for the argument it came as. */
function unwatchableFd(entry: HandlerEntry, error: unknown): UnwatchableFdError {
  return new UnwatchableFdError(
    `target: fd ${String(entry.target)} cannot be watched: epoll refuses it (EPERM), as a regular file, a ` +
      "directory or a device without poll support (/dev/null), which is always ready: read or write it directly",
    { cause: error },
  )
}

/** One watched target: its entry and the fd the set holds for it (a socket's `ZMQ_FD`, or the plain fd). */
interface Member {
  readonly entry: HandlerEntry
  readonly fd: number
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
    const fd = socket === null ? (entry.target as number) : socket.getInt32Option(ZMQ_FD)
    const token = this.freeTokens.pop() ?? this.members.length
    try {
      this.fdSet.add(this.set, fd, socket === null ? uvEventsFor(entry.events) : UV_READABLE, token)
    } catch (error) {
      this.freeTokens.push(token)
      if (socket === null && (error as { code?: unknown }).code === "EPERM") throw unwatchableFd(entry, error)
      throw error
    }
    this.members[token] = { entry, fd }
    this.tokens.set(entry, token)
  }

  modify(entry: HandlerEntry): void {
    if (entry.socket !== null) return // a socket's ZMQ_FD is watched for readability whatever the interest
    const token = this.tokens.get(entry)!
    this.fdSet.modify(this.set, this.members[token]!.fd, uvEventsFor(entry.events), token)
  }

  unregister(entry: HandlerEntry): void {
    const token = this.tokens.get(entry)
    if (token === undefined) return
    this.tokens.delete(entry)
    const { fd } = this.members[token]!
    this.members[token] = undefined
    this.freeTokens.push(token)
    // A closed socket's ZMQ_FD is closed by libzmq, and closing it takes it out of the set; until then a
    // wake-up for its token finds the slot empty, or reaches the slot's next member for nothing (a member is
    // always checked before its handler runs). Its number may already belong to another file, which a
    // removal by number would take out of the set instead.
    if (entry.socket?.closed !== true) this.fdSet.remove(this.set, fd)
  }

  private readonly onWake = (): void => {
    if (this.closed) return
    const count = this.fdSet.wait(this.set, this.ready)
    for (let index = 0; index < count; index++) {
      const member = this.members[this.ready[2 * index]!]
      if (member === undefined) continue
      const entry = member.entry
      if (entry.socket === null) entry.fdEvents |= loopEventsFrom(this.ready[2 * index + 1]!)
      else entry.forget()
      this.sink(entry)
    }
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
