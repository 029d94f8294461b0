import { performance } from "node:perf_hooks"
import type { HandlerEntry } from "../handlers/handler-entry.js"
import { clearImmediate, clearTimeout, setImmediate, setTimeout } from "../timers/host-timers.js"
import type { Poller, ReadySink } from "./poller.js"
import { napThread } from "./thread-nap.js"

// Checks ZMQ_EVENTS of its sockets. A busy socket (a check found it ready, or the loop changed what it waits
// for on it: a send, a new handler) is checked on every turn of Node's event loop, for BUSY_WINDOW_MS after
// the last such sign, so that a reply to a message sent now is seen as it comes, not at the next timer tick:
// Node's timers fire 1 ms apart at best, and waiting for ticks cost a request and its reply 2.3-2.8 ms
// (ping-pong between two processes; plain zeromq.js: 0.12 ms). Past the first SPIN_MS of the window, the
// thread naps between two checks that found nothing (with nothing else run in between), for
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
// Every socket, busy or not, is also checked on a timer: 1 ms while any is busy, doubling on each idle check
// up to 32 ms, so an idle loop costs ~30 getsockopt calls a second per socket, and no core. Only the busy
// ones are checked on every turn: with all 1,000 idle sockets of a loop checked there too, a pair beside
// them ping-ponged 700 times a second, against 11,000-18,000 alone. The timer's check reads the busy ones
// again rather than skip them: skipping costs a lookup per idle socket per check (a pair beside 1,000 idle
// streams: 3,100-3,700 round trips/s against 3,600-4,400).
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
  /** The busy entries, each with when (`performance.now()`) it last showed it is: its window runs from there. */
  private readonly busy = new Map<HandlerEntry, number>()
  /** Checks every entry. */
  private timer: NodeJS.Timeout | undefined
  /** Checks the busy entries, on the next turn. */
  private immediate: NodeJS.Immediate | undefined
  private delay = FASTEST_CHECK_MS
  /** When the last sign of business came (any entry), and when the last check of the busy ones ended. */
  private busySince = -Infinity
  private lastBusyCheckEnd = 0
  /** Whether that check found nothing ready (see SPIN_MS). */
  private lastBusyCheckIdle = false
  private watching = false

  constructor(private readonly sink: ReadySink) {}

  register(entry: HandlerEntry): void {
    if (entry.socket === null) {
      throw new TypeError(`target: plain file descriptors need the fd poller, got fd ${String(entry.target)}`)
    }
    this.entries.add(entry)
    this.markBusy(entry)
  }

  modify(entry: HandlerEntry): void {
    this.markBusy(entry)
  }

  unregister(entry: HandlerEntry): void {
    this.entries.delete(entry)
    this.busy.delete(entry)
  }

  readyNow(entry: HandlerEntry): number {
    return entry.readZmqEvents() // it holds sockets only
  }

  resume(): void {
    this.watching = true
    this.delay = FASTEST_CHECK_MS
    this.scheduleFullCheck()
    if (this.busy.size > 0) this.scheduleBusyCheck()
  }

  pause(): void {
    this.watching = false
    clearTimeout(this.timer)
    clearImmediate(this.immediate)
    this.timer = undefined
    this.immediate = undefined
  }

  close(): void {
    this.pause()
    this.entries.clear()
    this.busy.clear()
  }

  /** `entry` shows it is busy: it is checked on every turn for BUSY_WINDOW_MS, the rest every 1 ms. */
  private markBusy(entry: HandlerEntry): void {
    const now = performance.now()
    this.busy.set(entry, now)
    this.busySince = now
    if (this.delay !== FASTEST_CHECK_MS) {
      this.delay = FASTEST_CHECK_MS
      if (this.timer !== undefined) {
        clearTimeout(this.timer)
        this.timer = undefined
        this.scheduleFullCheck()
      }
    }
    this.scheduleBusyCheck()
  }

  private scheduleFullCheck(): void {
    if (!this.watching || this.timer !== undefined) return
    this.timer = setTimeout(this.fullCheck, this.delay)
    this.timer.unref() // the running loop keeps the process alive, not its poller
  }

  private scheduleBusyCheck(): void {
    if (!this.watching || this.immediate !== undefined) return
    // Not unref'd: Node would block in its poll phase and run an unref'd immediate only after other I/O.
    this.immediate = setImmediate(this.busyCheck)
  }

  private readonly fullCheck = (): void => {
    this.timer = undefined
    const anyReady = this.checkEntries(this.entries.keys())
    if (!anyReady && this.busy.size === 0) this.delay = Math.min(this.delay * 2, SLOWEST_CHECK_MS)
    this.scheduleFullCheck()
  }

  private readonly busyCheck = (): void => {
    this.immediate = undefined
    if (this.lastBusyCheckIdle) this.napIfIdle()
    const now = performance.now()
    for (const [entry, since] of this.busy) {
      if (now - since >= BUSY_WINDOW_MS) this.busy.delete(entry)
    }
    const anyReady = this.checkEntries(this.busy.keys())
    this.lastBusyCheckEnd = performance.now()
    this.lastBusyCheckIdle = !anyReady
    if (this.busy.size > 0) this.scheduleBusyCheck()
  }

  /** Naps past the window's first SPIN_MS when this turn of Node's loop ran nothing but the last check. */
  private napIfIdle(): void {
    const now = performance.now()
    const quietFor = now - this.busySince
    if (quietFor <= SPIN_MS || now - this.lastBusyCheckEnd >= SHORTEST_NAP_MS) return
    napThread(Math.min(LONGEST_NAP_MS, Math.max(SHORTEST_NAP_MS, quietFor / 8)))
  }

  /** Reads the `ZMQ_EVENTS` of `entries`, reports the ready ones, and returns whether there were any. */
  private checkEntries(entries: Iterable<HandlerEntry>): boolean {
    let anyReady = false
    for (const entry of entries) {
      const events = entry.readZmqEvents()
      entry.forget()
      entry.learnEvents(events)
      if (events & entry.events) {
        anyReady = true
        this.sink.mayBeReady(entry)
        this.markBusy(entry)
      }
    }
    if (anyReady) this.sink.woke()
    return anyReady
  }
}
