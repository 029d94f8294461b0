import type { HandlerEntry } from "./handler-entry.js"
import { clearTimeout, setTimeout } from "./host-timers.js"
import type { Poller, ReadySink } from "./poller.js"

// Checks ZMQ_EVENTS of every registered socket on a timer: 1 ms while sockets are busy, doubling on each idle
// check up to 32 ms, so an idle loop costs ~30 getsockopt calls a second per socket.
const FASTEST_CHECK_MS = 1
const SLOWEST_CHECK_MS = 32

/** The fallback poller, used when the native fd watcher cannot load (or with `poller: "interval"`). */
export class IntervalPoller implements Poller {
  readonly kind = "interval"
  private readonly entries = new Set<HandlerEntry>()
  private timer: NodeJS.Timeout | undefined
  private delay = FASTEST_CHECK_MS
  private watching = false

  constructor(private readonly sink: ReadySink) {}

  register(entry: HandlerEntry): void {
    if (entry.socket === null) {
      throw new TypeError(`target: plain file descriptors need the fd poller, got fd ${String(entry.target)}`)
    }
    this.entries.add(entry)
    this.speedUp()
  }

  modify(): void {
    this.speedUp()
  }

  unregister(entry: HandlerEntry): void {
    this.entries.delete(entry)
  }

  readyNow(entry: HandlerEntry): number {
    return entry.readZmqEvents() // it holds sockets only
  }

  resume(): void {
    this.watching = true
    this.speedUp()
  }

  pause(): void {
    this.watching = false
    clearTimeout(this.timer)
    this.timer = undefined
  }

  close(): void {
    this.pause()
    this.entries.clear()
  }

  private speedUp(): void {
    this.delay = FASTEST_CHECK_MS
    if (!this.watching) return
    clearTimeout(this.timer)
    this.schedule()
  }

  private schedule(): void {
    this.timer = setTimeout(this.check, this.delay)
    this.timer.unref() // the running loop keeps the process alive, not its poller
  }

  private readonly check = (): void => {
    let anyReady = false
    for (const entry of this.entries) {
      const events = entry.readZmqEvents()
      entry.forget()
      entry.learnEvents(events)
      if (events & entry.events) {
        anyReady = true
        this.sink(entry)
      }
    }
    this.delay = anyReady ? FASTEST_CHECK_MS : Math.min(this.delay * 2, SLOWEST_CHECK_MS)
    if (this.watching) this.schedule()
  }
}
