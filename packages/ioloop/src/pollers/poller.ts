import type { HandlerEntry } from "../handlers/handler-entry.js"

/** Which mechanism tells the loop that a target may be ready (`IOLoop.pollerKind`). */
export type PollerKind = "fd" | "interval"

/**
 * How the loop learns from its poller what may be ready: each entry found in one wake-up, then `woke()`
 * once, so that one iteration runs the handlers of all of them, as tornado's does for the targets of one
 * poll (an iteration per entry ran the callbacks and timeouts a first handler queued before the second).
 */
export interface ReadySink {
  /** `entry` may be ready: its events are to be checked. */
  mayBeReady(entry: HandlerEntry): void
  /** Every entry this wake-up found was reported. */
  woke(): void
}

/**
 * The loop's waiting mechanism: it watches registered entries while the loop runs and reports the ones
 * that may be ready. Whether an event is real is the loop's call (it reads `ZMQ_EVENTS`).
 */
export interface Poller {
  readonly kind: PollerKind
  register(entry: HandlerEntry): void
  /** The entry's interest changed. */
  modify(entry: HandlerEntry): void
  unregister(entry: HandlerEntry): void
  /**
   * The events that hold for the entry now (loop bits), asked directly rather than awaiting the poller's
   * next report, which may come only after the loop's timers ran: `ZMQ_EVENTS` for a socket, a zero-timeout
   * `poll(2)` for a plain fd.
   */
  readyNow(entry: HandlerEntry): number
  /** Watch from now on (the loop started). */
  resume(): void
  /** Stop watching, keeping registrations (the loop stopped): nothing wakes a loop that is not running. */
  pause(): void
  close(): void
}
