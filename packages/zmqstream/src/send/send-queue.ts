import type { QueuedMessage } from "./parts.js"
import type { UserCallback } from "../stream-callbacks.js"

// A chunk holds at most this many messages. Every chunk but the last is full, so a message's place in the
// queue gives its chunk and slot by shifting and masking.
const CHUNK_BITS = 11
const CHUNK_SLOTS = 1 << CHUNK_BITS
const SLOT_MASK = CHUNK_SLOTS - 1
// An emptied queue always keeps a chunk that never grew past this many slots (the usual case: a stream whose
// queue goes between empty and a few messages allocates nothing per message).
const KEPT_SLOTS = 64

/**
 * Up to `CHUNK_SLOTS` messages in parallel arrays, filled from slot 0 up. The arrays grow as they fill
 * (`push`: V8 grows them natively), so a chunk costs what it holds. The columns for send options and
 * per-send callbacks exist only once a message in the chunk has one: most streams never pass either.
 */
class Chunk {
  /** A one-part message's part, or a multipart message's parts. */
  readonly bodies: Array<QueuedMessage["body"] | undefined> = []
  readonly sizes: number[] = []
  sendOptions: Array<object | undefined> | null = null
  callbacks: Array<UserCallback | null | undefined> | null = null
  /** Slots in use: `[0, end)`. */
  end = 0

  append(message: QueuedMessage): void {
    const slot = this.end++
    if (slot === this.bodies.length) {
      this.bodies.push(message.body)
      this.sizes.push(message.bytes)
    } else {
      this.bodies[slot] = message.body
      this.sizes[slot] = message.bytes
    }
    if (message.sendOptions !== undefined) (this.sendOptions ??= [])[slot] = message.sendOptions
    if (message.callback !== null) (this.callbacks ??= [])[slot] = message.callback
  }

  message(slot: number): QueuedMessage {
    return {
      body: this.bodies[slot]!,
      sendOptions: this.sendOptions?.[slot],
      callback: this.callbacks?.[slot] ?? null,
      bytes: this.sizes[slot]!,
    }
  }

  /** Lets go of what the slot holds (its size stays: it is read before and costs nothing). */
  clear(slot: number): void {
    this.bodies[slot] = undefined
    if (this.sendOptions !== null && slot < this.sendOptions.length) this.sendOptions[slot] = undefined
    if (this.callbacks !== null && slot < this.callbacks.length) this.callbacks[slot] = undefined
  }

  /** Empty again (every slot cleared), for reuse; its arrays keep their length. */
  reset(): void {
    this.end = 0
    this.sendOptions = null
    this.callbacks = null
  }
}

/**
 * The messages a stream has queued to send, oldest first, in chunks of parallel arrays rather than an object
 * per message: a chained list of chunks as Node's own `FixedQueue` (the nextTick queue) is.
 *
 * - Slots, not objects: whatever waits in the queue survives V8's young-generation collections, and V8 grows
 *   its young generation with what survives. With 10,000 messages queued to a stalled peer (a bounded queue,
 *   issue 16), an object and a parts array per message made the peak RSS 32 MB above the start; in slots a
 *   one-part message keeps only its part (the figure is in the README, "Bounded send queue").
 * - Chunks, not one ring that doubles: `push` never copies what is queued, so no `send*()` call stalls while
 *   a queue of 100,000 messages moves to a larger ring (that copy, with four columns, took 94 ms of the
 *   sender's time in `bench/ours/push_pull.mjs 200000 64`, the sender queueing all 200k at once, most of it
 *   first-touch page faults), and a drained chunk is garbage at once.
 *
 * `at()` makes the `QueuedMessage` a data path and the callbacks take, when it is sent.
 */
export class SendQueue {
  /** Oldest first; all full but the last. Empty only while nothing was ever queued (or after a large burst). */
  private chunks: Chunk[] = []
  /**
   * Chunks drained, emptied, for the next chunks the queue needs: a queue that stays long (a stalled peer, a
   * bounded queue that fills and drains) then allocates nothing, where each chunk allocated and dropped would
   * have lived long enough to be promoted, and grown the RSS (measured: +31 MiB instead of +9 in `pnpm bench
   * --only send_queue`). Trimmed when the queue empties.
   */
  private spares: Chunk[] = []
  /** The most messages held since the queue was last empty. */
  private mostHeld = 0
  /** The oldest message's slot in `chunks[0]`. */
  private first = 0
  private count = 0
  private bytes = 0

  get length(): number {
    return this.count
  }

  /** The queued messages' bytes (`QueuedMessage.bytes`). */
  get queuedBytes(): number {
    return this.bytes
  }

  push(message: QueuedMessage): void {
    let last = this.chunks[this.chunks.length - 1]
    if (last === undefined || last.end === CHUNK_SLOTS) {
      last = this.spares.pop() ?? new Chunk()
      this.chunks.push(last)
    }
    last.append(message)
    this.bytes += message.bytes
    if (++this.count > this.mostHeld) this.mostHeld = this.count
  }

  /** The message `index` places from the oldest, made now. */
  at(index: number): QueuedMessage {
    const position = this.first + index
    return this.chunks[position >> CHUNK_BITS]!.message(position & SLOT_MASK)
  }

  /** Drops the oldest message. */
  shift(): void {
    const head = this.chunks[0]!
    this.bytes -= head.sizes[this.first]!
    head.clear(this.first)
    if (--this.count === 0) return this.emptied()
    if (++this.first === CHUNK_SLOTS) {
      const drained = this.chunks.shift()!
      drained.reset()
      this.spares.push(drained)
      this.first = 0
    }
  }

  /** Drops every message but the `keep` oldest. */
  truncate(keep: number): void {
    if (this.count <= keep) return
    while (this.count > keep) {
      const last = this.chunks[this.chunks.length - 1]!
      const slot = --last.end
      this.bytes -= last.sizes[slot]!
      last.clear(slot)
      this.count--
      if (last.end === 0 && this.chunks.length > 1) this.chunks.pop()
    }
    if (this.count === 0) this.emptied()
  }

  /**
   * The queue is empty. It keeps its chunk and spares for the next messages while they are no more than four
   * times what it held at most since it was last empty (or at most `KEPT_SLOTS`); otherwise they go.
   */
  private emptied(): void {
    this.first = 0
    this.bytes = 0
    const head = this.chunks[0]!
    head.reset()
    const kept = head.bodies.length + this.spares.length * CHUNK_SLOTS
    if (kept > Math.max(KEPT_SLOTS, 4 * this.mostHeld)) {
      this.spares = []
      if (head.bodies.length > KEPT_SLOTS) this.chunks = []
    }
    this.mostHeld = 0
  }
}
