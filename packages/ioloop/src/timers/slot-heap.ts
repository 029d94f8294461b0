const INITIAL_CAPACITY = 64

/**
 * A binary min-heap of numbers in a growable `Float64Array`: the timeout queue's whole-millisecond slots,
 * kept unboxed so that finding the earliest slot chases no pointers.
 */
export class SlotHeap {
  private items = new Float64Array(INITIAL_CAPACITY)
  private length = 0

  get size(): number {
    return this.length
  }

  /** The smallest slot; only meaningful while `size > 0`. */
  peek(): number {
    return this.items[0]!
  }

  push(slot: number): void {
    if (this.length === this.items.length) {
      const grown = new Float64Array(this.items.length * 2)
      grown.set(this.items)
      this.items = grown
    }
    const items = this.items
    let index = this.length++
    while (index > 0) {
      const parent = (index - 1) >> 1
      if (items[parent]! <= slot) break
      items[index] = items[parent]!
      index = parent
    }
    items[index] = slot
  }

  /** Removes the smallest slot. */
  pop(): void {
    const items = this.items
    const last = items[--this.length]!
    const length = this.length
    let index = 0
    for (;;) {
      let child = 2 * index + 1
      if (child >= length) break
      if (child + 1 < length && items[child + 1]! < items[child]!) child++
      if (items[child]! >= last) break
      items[index] = items[child]!
      index = child
    }
    if (length > 0) items[index] = last
  }

  /** Replaces the content with `slots`, in any order. */
  rebuild(slots: Iterable<number>): void {
    this.length = 0
    for (const slot of slots) this.push(slot)
  }
}
