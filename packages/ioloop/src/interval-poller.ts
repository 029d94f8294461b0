import { performance } from "node:perf_hooks"
import type { HandlerEntry } from "./handler-entry.js"
import { clearImmediate, clearTimeout, setImmediate, setTimeout } from "./host-timers.js"
import type { Poller, ReadySink } from "./poller.js"
import { napThread } from "./thread-nap.js"

// Checks ZMQ_EVENTS of every registered socket. While they are busy (a check found one ready, or the loop
// changed what it waits for: a send, a new handler) it checks on every turn of Node's event loop, for
// BUSY_WINDOW_MS after the last such sign, so that a reply to a message sent now is seen as it comes, not at
// the next timer tick: Node's timers fire 1 ms apart at best, and waiting for ticks cost a request and its
// reply 2.3-2.8 ms (ping-pong between two processes; plain zeromq.js: 0.12 ms). Past the first SPIN_MS of
// the window, the thread naps between two checks that found nothing (with nothing else run in between), for
// an eighth of the time since the last sign, from 20 µs up to 0.25 ms: on a machine with few cores, two
// processes spinning left libzmq's I/O threads, which carry the messages, no core (3 ms a round trip, no
// better than the ticks), and a longer wait is seen a little later at a fraction of the CPU. Measured on two
// cores with `bench/ours/pingpong.mjs` (mean round trip), `bench/micro/interval-toggle.mjs` (a pyzmq sender
// held at a high-water mark of 10) and one message every 1 or 10 ms (CPU of the receiving process), on the
// interval poller:
//   window 1 ms: 0.53 ms (replies later than the window wait for ticks again); 5 or 20 ms: 0.23-0.28 ms;
//   no nap: 3 ms; naps of 20 µs from the start: 0.23 ms but 62-66k msg/s (the sender refills within
//   microseconds); spin 0.2 ms, then 20 µs naps: 0.21 ms, 199k msg/s, CPU 47 % / 18 %; then naps of an
//   eighth of the wait: 0.20-0.25 ms, CPU 41 % / 11 % (the ticks alone: 2.8 ms, CPU 31 % / 10 %).
// Past the window: a timer, 1 ms, doubling on each idle check up to 32 ms, so an idle loop costs ~30
// getsockopt calls a second per socket, and no core.
const BUSY_WINDOW_MS = 5
const SPIN_MS = 0.2
const SHORTEST_NAP_MS = 0.02
const LONGEST_NAP_MS = 0.25
const FASTEST_CHECK_MS = 1
const SLOWEST_CHECK_MS = 32

/** The fallback poller, used when the native fd watcher cannot load (or with `poller: "interval"`). */
export class IntervalPoller implements Poller {
  readonly kind = "interval"
  private readonly entries = new Set<HandlerEntry>()
  private timer: NodeJS.Timeout | undefined
  private immediate: NodeJS.Immediate | undefined
  private delay = FASTEST_CHECK_MS
  /** When (`performance.now()`) the sockets last showed they are busy: the window runs from here. */
  private busySince = -Infinity
  /** When the last check ended, and whether it found nothing ready (see SPIN_MS). */
  private lastCheckEnd = 0
  private lastCheckIdle = false
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
    this.cancel()
  }

  close(): void {
    this.pause()
    this.entries.clear()
  }

  private speedUp(): void {
    this.busy()
    if (!this.watching || this.immediate !== undefined) return
    this.cancel()
    this.schedule()
  }

  private busy(): void {
    this.delay = FASTEST_CHECK_MS
    this.busySince = performance.now()
  }

  /** Naps past the window's first SPIN_MS when this turn of Node's loop ran nothing but the last check. */
  private napIfIdle(): void {
    const now = performance.now()
    const quietFor = now - this.busySince
    if (quietFor <= SPIN_MS || now - this.lastCheckEnd >= SHORTEST_NAP_MS) return
    napThread(Math.min(LONGEST_NAP_MS, Math.max(SHORTEST_NAP_MS, quietFor / 8)))
  }

  private schedule(): void {
    if (performance.now() - this.busySince < BUSY_WINDOW_MS) {
      // Not unref'd: Node would block in its poll phase and run an unref'd immediate only after other I/O.
      this.immediate = setImmediate(this.check)
    } else {
      this.timer = setTimeout(this.check, this.delay)
      this.timer.unref() // the running loop keeps the process alive, not its poller
    }
  }

  private cancel(): void {
    clearTimeout(this.timer)
    clearImmediate(this.immediate)
    this.timer = undefined
    this.immediate = undefined
  }

  private readonly check = (): void => {
    if (this.immediate !== undefined && this.lastCheckIdle) this.napIfIdle()
    this.timer = undefined
    this.immediate = undefined
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
    const now = performance.now()
    if (anyReady) this.busy()
    else if (now - this.busySince >= BUSY_WINDOW_MS) this.delay = Math.min(this.delay * 2, SLOWEST_CHECK_MS)
    this.lastCheckEnd = now
    this.lastCheckIdle = !anyReady
    // A dispatch above may have scheduled the next check already (a send made the loop modify its interest).
    if (this.watching && this.immediate === undefined && this.timer === undefined) this.schedule()
  }
}
