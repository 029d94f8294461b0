import { ERROR, READ, WRITE, ZMQ_FD } from "./constants.js"
import type { HandlerEntry } from "./handler-entry.js"
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

/**
 * The default poller: one native watcher (uv_poll on Node's own loop) per entry. A zmq socket is watched
 * through a dup of its `ZMQ_FD`, for readability only (libzmq: "poll for ZMQ_POLLIN only"; the fd signals
 * any state change, and zeromq.js watches the original fd itself); a plain fd is watched directly for the
 * registered interest.
 */
export class FdPoller implements Poller {
  readonly kind = "fd"
  private readonly watchers = new Map<HandlerEntry, FdWatcher>()
  private watching = false

  constructor(
    private readonly Watcher: FdWatcherConstructor,
    private readonly sink: ReadySink,
  ) {}

  register(entry: HandlerEntry): void {
    const socket = entry.socket
    const watcher =
      socket === null
        ? new this.Watcher(entry.target as number, false, (status, uvEvents) => {
            entry.fdEvents |= loopEventsFrom(status, uvEvents)
            this.sink(entry)
          })
        : new this.Watcher(socket.getInt32Option(ZMQ_FD), true, () => {
            entry.forget()
            this.sink(entry)
          })
    this.watchers.set(entry, watcher)
    if (this.watching) this.startWatcher(entry, watcher)
  }

  modify(entry: HandlerEntry): void {
    const watcher = this.watchers.get(entry)
    if (watcher !== undefined && this.watching && entry.socket === null) this.startWatcher(entry, watcher)
  }

  unregister(entry: HandlerEntry): void {
    this.watchers.get(entry)?.close()
    this.watchers.delete(entry)
  }

  readyNow(entry: HandlerEntry): number {
    if (entry.socket !== null) return entry.readZmqEvents()
    const result = this.watchers.get(entry)!.check(uvEventsFor(entry.events))
    return result < 0 ? loopEventsFrom(result, 0) : loopEventsFrom(0, result)
  }

  resume(): void {
    this.watching = true
    for (const [entry, watcher] of this.watchers) this.startWatcher(entry, watcher)
  }

  pause(): void {
    this.watching = false
    for (const watcher of this.watchers.values()) watcher.stop()
  }

  close(): void {
    for (const watcher of this.watchers.values()) watcher.close()
    this.watchers.clear()
  }

  private startWatcher(entry: HandlerEntry, watcher: FdWatcher): void {
    watcher.start(entry.socket === null ? uvEventsFor(entry.events) : UV_READABLE)
  }
}
