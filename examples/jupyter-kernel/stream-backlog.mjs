// Stream text on its way from the main thread to the channels worker, counted in shared memory so that
// a cell printing faster than the worker can publish waits, as a program writing to a full pipe does.
// Without a bound the worker's message queue grew without limit (2.4-4.1 GB resident for a cell printing
// 2 GB, then "Invalid string length" in its batch), and the worker took the whole backlog in one turn of
// its loop, so the heartbeat and the control channel went unanswered for over a second.

/** The backlog the main thread may run ahead by, in units (see `unitsOf`). */
const LIMIT_UNITS = 1024 * 1024
/** What a write costs beside its text: its message between the threads, so a flood of short writes is bounded too. */
const UNITS_PER_WRITE = 256
/** How long the main thread waits at a time, so that an interrupt (vm's breakOnSigint) is seen between waits. */
const WAIT_MS = 50

export class StreamBacklog {
  /** The counter lives in `buffer`, shared by both threads (the main thread makes it, the worker gets it). */
  constructor(buffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)) {
    this.buffer = buffer
    this.units = new Int32Array(buffer)
  }

  /** What writing `text` adds to the backlog. */
  static unitsOf(text) {
    return text.length + UNITS_PER_WRITE
  }

  /** Main thread: counts `units` in, first waiting while the backlog is over its limit. */
  add(units) {
    for (let now = Atomics.load(this.units, 0); now > LIMIT_UNITS; now = Atomics.load(this.units, 0))
      Atomics.wait(this.units, 0, now, WAIT_MS)
    Atomics.add(this.units, 0, units)
  }

  /** Worker: `units` of text were published (or dropped after the shutdown). */
  remove(units) {
    Atomics.sub(this.units, 0, units)
    Atomics.notify(this.units, 0)
  }
}
