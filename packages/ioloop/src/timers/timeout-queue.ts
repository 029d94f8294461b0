import { SlotHeap } from "./slot-heap.js"
import { TimeoutBucket } from "./timeout-bucket.js"

/**
 * A handle to a scheduled call, returned by `IOLoop.addTimeout`, `callAt` and `callLater`; pass it to
 * `IOLoop.removeTimeout` to cancel the call. (tornado `_Timeout`)
 */
export abstract class Timeout {
  /** When the call is due, in milliseconds on the loop's `time()` clock. */
  abstract readonly deadline: number

  /** Whether the call is still due to happen (not run, not cancelled). */
  abstract readonly pending: boolean
}

/**
 * What a scheduled call's `callback` holds once the queue took it out to run in this pass (`takeDue`): the
 * callback itself travels beside it. Cancelling it then needs no bucket.
 */
const TAKEN_OUT: Function = () => {}

/**
 * What the queue keeps for one scheduled call. It is the `Timeout` handle itself (one object per timeout,
 * not two: a million timeouts cost 20 MB less); its fields are not part of `Timeout`'s type. Few fields,
 * as a million pending timeouts are that many objects for the garbage collector to move: 1M objects of two
 * fields are allocated and kept in 350 ms here, of four in 410–425 ms. The third, its bucket, makes a
 * cancel find its queue: tornado's `remove_timeout` cancels a timeout of another loop too.
 */
export class ScheduledCall extends Timeout {
  /**
   * The wrapped callback; `TAKEN_OUT` while it waits to run in this pass; `null` once the call ran or was
   * cancelled.
   */
  callback: Function | null
  /** What only some calls have (see {@link ScheduledCallWithExtras}); on the prototype chain, `undefined`. */
  declare readonly extras: CallExtras | undefined

  constructor(
    /** When the call is due, in ms on the loop's `time()`. */
    readonly deadline: number,
    callback: Function,
    /** The bucket that holds it until it is taken out to run (or cancelled). */
    private readonly bucket: TimeoutBucket,
  ) {
    super()
    this.callback = callback
  }

  get pending(): boolean {
    return this.callback !== null
  }

  /** Whether the queue took it out to run in this pass. */
  get takenOut(): boolean {
    return this.callback === TAKEN_OUT
  }

  /** Cancels the call, in whichever loop's queue holds it; harmless when it already ran or was cancelled. */
  cancel(): void {
    if (this.callback === null) return
    const takenOut = this.takenOut
    this.callback = null
    if (!takenOut) this.bucket.cancelled()
  }

  /** Hands out the callback to run in this pass, leaving `TAKEN_OUT` in its place. */
  takeOut(): Function {
    const callback = this.callback!
    this.callback = TAKEN_OUT
    return callback
  }
}

/**
 * A scheduled call with arguments, a callback a stack context wrapped, or a blocking-log origin: the rarer
 * kind, so that the common call (`callLater(delay, fn)`) is the two-field object.
 */
class ScheduledCallWithExtras extends ScheduledCall {
  override readonly extras: CallExtras

  constructor(deadline: number, callback: Function, bucket: TimeoutBucket, extras: CallExtras) {
    super(deadline, callback, bucket)
    this.extras = extras
  }
}

/** The calls a pass takes out to run, and their callbacks, index for index. */
export interface DueCalls {
  readonly calls: ScheduledCall[]
  readonly callbacks: Function[]
}

/** What `takeDue` returns when nothing is due (never filled: the buckets fill only a pass's own). */
const NOTHING_DUE: DueCalls = { calls: [], callbacks: [] }

/** A scheduled call's arguments, the callback as given (when a stack context wrapped it) and its origin. */
export interface CallExtras {
  /** The callback as given, for log lines. */
  readonly original: Function
  readonly args: unknown[]
  /** Stack where it was scheduled, kept only while a blocking-log threshold is set. */
  readonly origin: string | undefined
}

/** The scheduled call behind `timeout`, or `undefined` for anything that is not a Timeout. */
export function scheduledCallOf(timeout: unknown): ScheduledCall | undefined {
  return timeout instanceof ScheduledCall ? timeout : undefined
}

// The slot heap may hold slots whose bucket is gone (emptied by cancellation): rebuilt from the live buckets
// once those are more than half of it, so a loop that adds and removes forever keeps it bounded.
const REBUILD_MIN_SLOTS = 1024

/**
 * The pending timeouts, in run order: (deadline, then order added). Timeouts are grouped in buckets of one
 * whole millisecond of deadline; a heap of unboxed slot numbers orders the buckets, and only the front
 * bucket is ever sorted. A million timeouts over two seconds make ~2000 slots, so taking the due ones costs
 * a few heap operations per millisecond instead of twenty pointer-chasing levels per timeout. Cancelling
 * is O(1): the entry is blanked, and a bucket that is mostly blanks is compacted on the spot.
 */
export class TimeoutQueue {
  private readonly buckets = new Map<number, TimeoutBucket>()
  private readonly slots = new SlotHeap()

  /** Number of entries held, cancelled ones included until they are collected. */
  get size(): number {
    let held = 0
    for (const bucket of this.buckets.values()) held += bucket.held
    return held
  }

  add(deadline: number, callback: Function, original: Function, args: unknown[], origin?: string): Timeout {
    const slot = Math.floor(deadline)
    let bucket = this.buckets.get(slot)
    if (bucket === undefined) {
      bucket = new TimeoutBucket(slot, this)
      this.buckets.set(slot, bucket)
      if (this.slots.size >= REBUILD_MIN_SLOTS && this.slots.size > 2 * this.buckets.size) {
        this.slots.rebuild(this.buckets.keys())
      } else {
        this.slots.push(slot)
      }
    }
    const call =
      original === callback && args.length === 0 && origin === undefined
        ? new ScheduledCall(deadline, callback, bucket)
        : new ScheduledCallWithExtras(deadline, callback, bucket, { original, args, origin })
    bucket.add(call)
    return call
  }

  /** `bucket` has no pending call left (they were cancelled): its slot's heap entry is dropped lazily. */
  bucketEmptied(bucket: TimeoutBucket): void {
    this.buckets.delete(bucket.slot)
  }

  /** The earliest deadline still pending, or `undefined` when nothing is scheduled. */
  nextDeadline(): number | undefined {
    return this.front()?.firstDeadline()
  }

  /**
   * Takes out every pending timeout due at `now`, in run order, with their callbacks at the same indices.
   * Collecting them all before any runs means a timeout that schedules another due one cannot make it run in
   * the same pass (tornado ≥ 4.0). Run one only while it is still taken out: an earlier one may cancel it.
   */
  takeDue(now: number): DueCalls {
    const first = this.front()
    if (first === undefined || first.slot > now) return NOTHING_DUE // most iterations: no allocation
    const due: DueCalls = { calls: [], callbacks: [] }
    for (
      let bucket: TimeoutBucket | undefined = first;
      bucket !== undefined && bucket.slot <= now;
      bucket = this.front()
    ) {
      if (!bucket.takeDue(now, due)) break
      this.buckets.delete(bucket.slot)
      this.slots.pop()
    }
    return due
  }

  /** Forgets every entry (used by `IOLoop.close`). */
  clear(): void {
    for (const bucket of this.buckets.values()) bucket.clear()
    this.buckets.clear()
    this.slots.rebuild([])
  }

  /** The bucket of the earliest slot, after dropping the slots whose bucket was emptied by cancellation. */
  private front(): TimeoutBucket | undefined {
    while (this.slots.size > 0) {
      const bucket = this.buckets.get(this.slots.peek())
      if (bucket !== undefined) return bucket
      this.slots.pop()
    }
    return undefined
  }
}
