import type { Part, QueuedMessage } from "./parts.js"
import type { UserCallback } from "./stream-callbacks.js"

const FIRST_CAPACITY = 16
/** The slots of a queue that never held a message: shared, never written (the first push grows them). */
const NO_SLOTS: never[] = []

/**
 * The messages a stream has queued to send, oldest first: a ring of slots in parallel arrays, not an object
 * per message. Why: whatever waits in the queue survives V8's young-generation collections, and V8 grows its
 * young generation with what survives. With 10,000 messages queued to a stalled peer (a bounded queue,
 * issue 16), an object and a parts array per message made the peak RSS 32 MB above the start; in slots, a
 * one-part message keeps only its part, and the figure is in the README ("Bounded send queue").
 *
 * The columns for send options and per-send callbacks exist only while a queued message has one: most
 * streams never pass either, and every slot of a column is memory the ring touches as it grows. Measured
 * (`bench/ours/push_pull.mjs 200000 64`, the sender queues all 200k at once): with four full columns the
 * ring's growth took 94 ms of the sender's time, most of it first-touch page faults.
 *
 * `at()` makes the `QueuedMessage` a data path and the callbacks take, when it is sent.
 */
export class SendQueue {
  /** A one-part message's part, or a multipart message's parts. */
  private bodies: Array<Part | Part[] | undefined> = NO_SLOTS
  private sizes: number[] = NO_SLOTS
  /** Each message's send options; null while no queued message has any. */
  private sendOptions: Array<object | undefined> | null = null
  /** Each message's per-send callback; null while no queued message has one. */
  private callbacks: Array<UserCallback | null> | null = null
  private first = 0
  private count = 0
  private bytes = 0
  /** The most messages held since the queue was last empty: a ring far larger than that shrinks. */
  private mostHeld = 0

  get length(): number {
    return this.count
  }

  /** The queued messages' bytes (`QueuedMessage.bytes`). */
  get queuedBytes(): number {
    return this.bytes
  }

  push(message: QueuedMessage): void {
    if (this.count === this.bodies.length) this.resize(Math.max(FIRST_CAPACITY, this.count * 2))
    const slot = (this.first + this.count) & (this.bodies.length - 1)
    this.bodies[slot] = message.parts.length === 1 ? message.parts[0] : message.parts
    this.sizes[slot] = message.bytes
    if (message.sendOptions !== undefined)
      (this.sendOptions ??= this.column(undefined))[slot] = message.sendOptions
    if (message.callback !== null) (this.callbacks ??= this.column(null))[slot] = message.callback
    this.bytes += message.bytes
    if (++this.count > this.mostHeld) this.mostHeld = this.count
  }

  /** The message `index` places from the oldest, made now. */
  at(index: number): QueuedMessage {
    const slot = (this.first + index) & (this.bodies.length - 1)
    const body = this.bodies[slot]!
    return {
      parts: Array.isArray(body) ? body : [body],
      sendOptions: this.sendOptions?.[slot],
      callback: this.callbacks?.[slot] ?? null,
      bytes: this.sizes[slot]!,
    }
  }

  /** Drops the oldest message. */
  shift(): void {
    const slot = this.first
    this.bytes -= this.sizes[slot]!
    this.clear(slot)
    this.first = (slot + 1) & (this.bodies.length - 1)
    if (--this.count === 0) this.emptied()
  }

  /** Drops every message but the `keep` oldest. */
  truncate(keep: number): void {
    while (this.count > keep) {
      const slot = (this.first + this.count - 1) & (this.bodies.length - 1)
      this.bytes -= this.sizes[slot]!
      this.clear(slot)
      this.count--
    }
    if (this.count === 0) this.emptied()
  }

  private clear(slot: number): void {
    this.bodies[slot] = undefined
    if (this.sendOptions !== null) this.sendOptions[slot] = undefined
    if (this.callbacks !== null) this.callbacks[slot] = null
  }

  /**
   * The queue is empty: the optional columns go, and a ring four times larger than the queue ever got since
   * it was last empty gives half back.
   */
  private emptied(): void {
    this.first = 0
    this.bytes = 0
    this.sendOptions = null
    this.callbacks = null
    if (this.bodies.length > FIRST_CAPACITY && this.mostHeld * 4 <= this.bodies.length) {
      this.resize(this.bodies.length / 2)
    }
    this.mostHeld = 0
  }

  /** An optional column as long as the ring, every slot `empty`. */
  private column<T>(empty: T): T[] {
    return new Array<T>(this.bodies.length).fill(empty)
  }

  /** Moves the messages, in order, into arrays of `capacity` (a power of two) slots. */
  private resize(capacity: number): void {
    const mask = this.bodies.length - 1
    const bodies = new Array<Part | Part[] | undefined>(capacity)
    const sizes = new Array<number>(capacity)
    for (let i = 0; i < this.count; i++) {
      const slot = (this.first + i) & mask
      bodies[i] = this.bodies[slot]
      sizes[i] = this.sizes[slot]!
    }
    this.sendOptions = this.sendOptions && this.moved(this.sendOptions, capacity, undefined)
    this.callbacks = this.callbacks && this.moved(this.callbacks, capacity, null)
    this.bodies = bodies
    this.sizes = sizes
    this.first = 0
  }

  /** `column`'s entries for the queued messages, in order, in a column of `capacity` slots. */
  private moved<T>(column: T[], capacity: number, empty: T): T[] {
    const mask = this.bodies.length - 1
    const result = new Array<T>(capacity).fill(empty)
    for (let i = 0; i < this.count; i++) result[i] = column[(this.first + i) & mask]!
    return result
  }
}
