import type { DueCalls, ScheduledCall, TimeoutQueue } from "./timeout-queue.js"

// A bucket is compacted when it holds more than this many entries and at most a quarter are still pending.
const COMPACT_MIN_ENTRIES = 64

function byDeadline(a: ScheduledCall, b: ScheduledCall): number {
  return a.deadline - b.deadline
}

/**
 * The timeouts whose deadline falls in one whole millisecond (`slot = Math.floor(deadline)`), in the order
 * added. Only the front bucket of the queue is ever put in run order: by deadline, with a stable sort, so
 * equal deadlines keep the order they were added in (FIFO). A bucket filled by `callLater`s with one delay
 * is already in order and is never sorted.
 */
export class TimeoutBucket {
  /** Entries from `start` on are still queued (pending or cancelled); those before it were taken out. */
  private calls: ScheduledCall[] = []
  private start = 0
  /** Whether `calls` (from `start`) is in run order. */
  private ordered = true
  /** Entries still pending. */
  live = 0

  constructor(
    readonly slot: number,
    private readonly queue: TimeoutQueue,
  ) {}

  /** Entries held, cancelled ones included until they are collected. */
  get held(): number {
    return this.calls.length - this.start
  }

  add(call: ScheduledCall): void {
    const calls = this.calls
    if (this.ordered && calls.length > this.start && calls[calls.length - 1]!.deadline > call.deadline) {
      this.ordered = false
    }
    calls.push(call)
    this.live++
  }

  /** One of its pending entries was cancelled. */
  cancelled(): void {
    if (--this.live === 0) return this.queue.bucketEmptied(this)
    if (this.held > COMPACT_MIN_ENTRIES && this.live <= this.held >> 2) this.compact()
  }

  /** The earliest pending deadline (the bucket holds a pending entry). */
  firstDeadline(): number {
    this.prepare()
    return this.calls[this.start]!.deadline
  }

  /**
   * Takes out the pending entries due at `now` into `due`, in run order, and returns whether the bucket is
   * empty afterwards.
   */
  takeDue(now: number, due: DueCalls): boolean {
    this.prepare()
    const calls = this.calls
    let index = this.start
    for (; index < calls.length; index++) {
      const call = calls[index]!
      if (call.deadline > now) break
      if (call.callback === null) continue
      due.callbacks.push(call.takeOut())
      due.calls.push(call)
      this.live--
    }
    this.start = index
    return this.live === 0
  }

  /** Cancels every entry (the loop closes). */
  clear(): void {
    for (let index = this.start; index < this.calls.length; index++) this.calls[index]!.callback = null
    this.calls = []
    this.start = 0
    this.live = 0
  }

  /** Puts the bucket in run order with a pending entry first. */
  private prepare(): void {
    if (!this.ordered) {
      this.compact()
      this.calls.sort(byDeadline)
      this.ordered = true
    }
    const calls = this.calls
    while (calls[this.start]!.callback === null) this.start++
  }

  private compact(): void {
    const pending: ScheduledCall[] = []
    for (let index = this.start; index < this.calls.length; index++) {
      const call = this.calls[index]!
      if (call.callback !== null) pending.push(call)
    }
    this.calls = pending
    this.start = 0
  }
}
