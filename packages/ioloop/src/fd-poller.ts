import { ERROR, READ, WRITE, ZMQ_FD } from "./constants.js"
import { UnwatchableFdError } from "./errors.js"
import type { HandlerEntry, ZmqSocketAccess } from "./handler-entry.js"
import { IntervalPoller } from "./interval-poller.js"
import type { LogSink } from "./logger.js"
import { atFdLimit, leavesFdReserve } from "./native/fd-headroom.js"
import { UV_READABLE, UV_WRITABLE, type FdWatcher, type FdWatcherConstructor } from "./native/fd-watcher.js"
import type { Poller, ReadySink } from "./poller.js"

const UV_DISCONNECT = 4

function uvEventsFor(interest: number): number {
  return (interest & READ ? UV_READABLE : 0) | (interest & WRITE ? UV_WRITABLE : 0)
}

function loopEventsFrom(status: number, uvEvents: number): number {
  if (status < 0) return ERROR
  return (
    (uvEvents & UV_READABLE ? READ : 0) |
    (uvEvents & UV_WRITABLE ? WRITE : 0) |
    (uvEvents & UV_DISCONNECT ? ERROR : 0)
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
 * The default poller: one native watcher (uv_poll on Node's own loop) per entry. A zmq socket is watched
 * through a dup of its `ZMQ_FD`, for readability only (libzmq: "poll for ZMQ_POLLIN only"; the fd signals
 * any state change, and zeromq.js watches the original fd itself); a plain fd is watched directly for the
 * registered interest.
 *
 * The dup costs a second fd per socket. A socket registered when the process has none left (EMFILE, where
 * plain zeromq.js would still work), or when the dup would leave the program less than its reserve of free
 * fds (`leavesFdReserve`), is checked on the interval poller's timer instead, with one warning: slower to
 * notice, never refused, and the program can still open sockets of its own.
 */
export class FdPoller implements Poller {
  readonly kind = "fd"
  private readonly watchers = new Map<HandlerEntry, FdWatcher>()
  /** The entry each watched socket's watcher wakes now (a kept watcher wakes its socket's next entry). */
  private readonly socketEntries = new Map<ZmqSocketAccess, HandlerEntry>()
  /**
   * Watchers of sockets whose handler was removed, stopped and kept until Node's next check phase: a poll
   * loop removes its sockets' handlers when a `Poller.poll()` settles and adds them again for the next one
   * within the same turn, and a new watcher costs a dup, uv_poll_init's epoll checks and a close (about
   * 28 µs of the ~40 each socket cost per poll). Plain fds are not kept: their number is the caller's,
   * which may close it and see it reused.
   */
  private readonly kept = new Map<ZmqSocketAccess, FdWatcher>()
  private keptSweep: NodeJS.Immediate | undefined
  /** The sockets registered at the fd limit, checked on a timer; made at the first. */
  private overflow: IntervalPoller | null = null
  private watching = false

  constructor(
    private readonly Watcher: FdWatcherConstructor,
    private readonly sink: ReadySink,
    private readonly log: LogSink,
  ) {}

  register(entry: HandlerEntry): void {
    const socket = entry.socket
    let watcher: FdWatcher
    try {
      watcher =
        socket === null
          ? new this.Watcher(entry.target as number, false, (status, uvEvents) => {
              entry.fdEvents |= loopEventsFrom(status, uvEvents)
              this.sink(entry)
            })
          : this.socketWatcher(socket)
    } catch (error) {
      if (socket === null && (error as { code?: unknown }).code === "EPERM") throw unwatchableFd(entry, error)
      if (socket === null || !atFdLimit(error)) throw error
      return this.registerOverflow(entry)
    }
    if (socket !== null && !leavesFdReserve(watcher.fd)) {
      watcher.close()
      return this.registerOverflow(entry)
    }
    this.watchers.set(entry, watcher)
    if (socket !== null) this.socketEntries.set(socket, entry)
    if (this.watching) this.startWatcher(entry, watcher)
  }

  /** The kept watcher of `socket`, or a new one on a dup of its `ZMQ_FD`. */
  private socketWatcher(socket: ZmqSocketAccess): FdWatcher {
    const kept = this.kept.get(socket)
    if (kept !== undefined) {
      this.kept.delete(socket)
      return kept
    }
    return new this.Watcher(socket.getInt32Option(ZMQ_FD), true, () => {
      const entry = this.socketEntries.get(socket)
      if (entry === undefined) return // kept, stopped: a wake-up libuv had already queued
      entry.forget()
      this.sink(entry)
    })
  }

  private registerOverflow(entry: HandlerEntry): void {
    if (this.overflow === null) {
      this.overflow = new IntervalPoller(this.sink)
      if (this.watching) this.overflow.resume()
      this.log.warn(
        "zmq-eventloop: the process is out of file descriptors (EMFILE), or so near its limit that the fd " +
          "poller's copy of a socket's ZMQ_FD would take the program's last ones: this socket and any others " +
          "registered so are checked every 1-32 ms instead (raise `ulimit -n`)",
      )
    }
    this.overflow.register(entry)
  }

  modify(entry: HandlerEntry): void {
    const watcher = this.watchers.get(entry)
    if (watcher === undefined) this.overflow?.modify()
    else if (this.watching && entry.socket === null) this.startWatcher(entry, watcher)
  }

  unregister(entry: HandlerEntry): void {
    const watcher = this.watchers.get(entry)
    if (watcher === undefined) return this.overflow?.unregister(entry)
    this.watchers.delete(entry)
    const socket = entry.socket
    if (socket !== null) this.socketEntries.delete(socket)
    if (socket === null || socket.closed) return watcher.close()
    watcher.stop()
    this.kept.set(socket, watcher)
    this.keptSweep ??= setImmediate(this.closeKept).unref()
  }

  private readonly closeKept = (): void => {
    this.keptSweep = undefined
    for (const watcher of this.kept.values()) watcher.close()
    this.kept.clear()
  }

  readyNow(entry: HandlerEntry): number {
    if (entry.socket !== null) return entry.readZmqEvents()
    const result = this.watchers.get(entry)!.check(uvEventsFor(entry.events))
    return result < 0 ? loopEventsFrom(result, 0) : loopEventsFrom(0, result)
  }

  resume(): void {
    this.watching = true
    for (const [entry, watcher] of this.watchers) this.startWatcher(entry, watcher)
    this.overflow?.resume()
  }

  pause(): void {
    this.watching = false
    for (const watcher of this.watchers.values()) watcher.stop()
    this.overflow?.pause()
  }

  close(): void {
    for (const watcher of this.watchers.values()) watcher.close()
    this.watchers.clear()
    this.socketEntries.clear()
    if (this.keptSweep !== undefined) clearImmediate(this.keptSweep)
    this.closeKept()
    this.overflow?.close()
  }

  private startWatcher(entry: HandlerEntry, watcher: FdWatcher): void {
    watcher.start(entry.socket === null ? uvEventsFor(entry.events) : UV_READABLE)
  }
}
