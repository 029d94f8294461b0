/** What the queue keeps for one scheduled call; never seen outside this package. */
export class ScheduledCall {
  /** The wrapped callback; `null` once the call ran or was cancelled. */
  callback: Function | null
  /** Whether it still sits in the queue's heap (false once taken out to run). */
  queued = true
  /** The handle given to the user. */
  readonly handle: Timeout

  constructor(
    /** When the call is due, in ms on the loop's `time()`. */
    readonly deadline: number,
    /** Insertion order: equal deadlines run first-in, first-out (tornado >= 4.0). */
    readonly sequence: number,
    callback: Function,
    /** The callback as given, for log lines. */
    readonly original: Function,
    readonly args: unknown[],
    /** Stack where it was scheduled, kept only while a blocking-log threshold is set. */
    readonly origin: string | undefined,
  ) {
    this.callback = callback
    this.handle = newTimeout(this)
  }
}

let newTimeout: (call: ScheduledCall) => Timeout
let callOf: (timeout: Timeout) => ScheduledCall | undefined

/**
 * A handle to a scheduled call, returned by `IOLoop.addTimeout`, `callAt` and `callLater`; pass it to
 * `IOLoop.removeTimeout` to cancel the call. (tornado `_Timeout`)
 */
export class Timeout {
  readonly #call: ScheduledCall

  private constructor(call: ScheduledCall) {
    this.#call = call
  }

  /** When the call is due, in milliseconds on the loop's `time()` clock. */
  get deadline(): number {
    return this.#call.deadline
  }

  /** Whether the call is still due to happen (not run, not cancelled). */
  get pending(): boolean {
    return this.#call.callback !== null
  }

  static {
    newTimeout = (call) => new Timeout(call)
    callOf = (timeout) => (#call in timeout ? timeout.#call : undefined)
  }
}

/** The scheduled call behind `timeout`, or `undefined` for anything that is not a Timeout. */
export function scheduledCallOf(timeout: unknown): ScheduledCall | undefined {
  return typeof timeout === "object" && timeout !== null ? callOf(timeout as Timeout) : undefined
}

// Cancellation only blanks the entry (cheap removeTimeout); the heap is rebuilt without the blanks once they
// are both numerous and the majority, so a loop that adds and removes forever keeps a bounded heap
// (tornado 3.1 uses the same two thresholds).
const COMPACT_MIN_CANCELLED = 512

function earlier(a: ScheduledCall, b: ScheduledCall): boolean {
  return a.deadline < b.deadline || (a.deadline === b.deadline && a.sequence < b.sequence)
}

/** A binary min-heap of timeouts on (deadline, sequence), with lazy cancellation. */
export class TimeoutQueue {
  private heap: ScheduledCall[] = []
  private cancelled = 0
  private nextSequence = 0

  /** Number of entries held, cancelled ones included until they are collected. */
  get size(): number {
    return this.heap.length
  }

  add(deadline: number, callback: Function, original: Function, args: unknown[], origin?: string): Timeout {
    const call = new ScheduledCall(deadline, this.nextSequence++, callback, original, args, origin)
    this.heap.push(call)
    this.siftUp(this.heap.length - 1)
    return call.handle
  }

  /** Cancels a timeout; harmless when it already ran or was cancelled. */
  remove(timeout: ScheduledCall): void {
    if (timeout.callback === null) return
    timeout.callback = null
    if (!timeout.queued) return
    this.cancelled++
    if (this.cancelled > COMPACT_MIN_CANCELLED && this.cancelled > this.heap.length >> 1) this.compact()
  }

  /** The earliest deadline still pending, or `undefined` when nothing is scheduled. */
  nextDeadline(): number | undefined {
    this.dropCancelledTop()
    return this.heap.length > 0 ? this.heap[0]!.deadline : undefined
  }

  /**
   * Takes out every pending timeout due at `now`, in run order. Collecting them all before any runs means a
   * timeout that schedules another due one cannot make it run in the same pass (tornado ≥ 4.0).
   */
  takeDue(now: number): ScheduledCall[] {
    const due: ScheduledCall[] = []
    for (;;) {
      this.dropCancelledTop()
      const top = this.heap[0]
      if (top === undefined || top.deadline > now) return due
      due.push(top)
      this.pop()
    }
  }

  /** Forgets every entry (used by `IOLoop.close`). */
  clear(): void {
    for (const timeout of this.heap) timeout.callback = null
    this.heap = []
    this.cancelled = 0
  }

  private dropCancelledTop(): void {
    while (this.heap.length > 0 && this.heap[0]!.callback === null) {
      this.pop()
      this.cancelled--
    }
  }

  private pop(): void {
    this.heap[0]!.queued = false
    const last = this.heap.pop()!
    if (this.heap.length > 0) {
      this.heap[0] = last
      this.siftDown(0)
    }
  }

  private compact(): void {
    this.heap = this.heap.filter((timeout) => timeout.callback !== null)
    this.cancelled = 0
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.siftDown(i)
  }

  private siftUp(index: number): void {
    const heap = this.heap
    const item = heap[index]!
    while (index > 0) {
      const parent = (index - 1) >> 1
      if (!earlier(item, heap[parent]!)) break
      heap[index] = heap[parent]!
      index = parent
    }
    heap[index] = item
  }

  private siftDown(index: number): void {
    const heap = this.heap
    const length = heap.length
    const item = heap[index]!
    for (;;) {
      let child = 2 * index + 1
      if (child >= length) break
      if (child + 1 < length && earlier(heap[child + 1]!, heap[child]!)) child++
      if (!earlier(heap[child]!, item)) break
      heap[index] = heap[child]!
      index = child
    }
    heap[index] = item
  }
}
