// The timeout queue's ordering and cancellation, driven by a clock the test moves by hand (timeFunc): every
// assertion is about order and counts, none about time.
import t from "tap"
import { newLoop, runUntilStopped } from "./helpers/loop.js"

/** A clock that only moves when told to. */
function manualClock(start: number) {
  const clock = { now: start, time: () => clock.now }
  return clock
}

t.test(
  "100k timeouts on a few deadlines run by deadline, ties in the order added; removed ones never",
  async (t) => {
    const clock = manualClock(1000)
    const loop = newLoop(t, { timeFunc: clock.time })
    const count = 100_000
    // 37 distinct deadlines, several inside one millisecond, added in a scrambled order.
    const deadlineOf = (i: number) => 1000 + ((i * 7919) % 37) * 0.25
    const ran: number[] = []
    const handles = []
    for (let i = 0; i < count; i++)
      handles.push(loop.callAt(deadlineOf(i), (index: number) => ran.push(index), i))
    for (let i = 0; i < count; i += 3) loop.removeTimeout(handles[i]!)
    const expected = [...Array(count).keys()]
      .filter((i) => i % 3 !== 0)
      .sort((a, b) => deadlineOf(a) - deadlineOf(b) || a - b)
    loop.addCallback(() => (clock.now = 1010)) // everything is due at the next timeouts pass
    loop.callAt(1010, () => loop.stop())
    await runUntilStopped(loop, 30_000)
    t.equal(ran.length, expected.length, "every kept timeout ran once")
    t.ok(
      ran.every((index, position) => index === expected[position]),
      "in (deadline, order added) order, none of the removed ones",
    )
    t.ok(
      handles.every((handle) => !handle.pending),
      "every handle reports not pending (run or removed)",
    )
  },
)

t.test("a timeout added to a partly run millisecond keeps deadline order and FIFO ties", async (t) => {
  const clock = manualClock(10.5)
  const loop = newLoop(t, { timeFunc: clock.time })
  const order: string[] = []
  const note = (name: string) => () => order.push(name)
  loop.callAt(10.2, () => {
    order.push("A")
    loop.callAt(10.6, note("E"))
    loop.callAt(10.45, note("F"))
    loop.callAt(10.45, () => {
      order.push("G")
      clock.now = 11
    })
  })
  loop.callAt(10.9, note("D"))
  loop.callAt(10.7, note("C"))
  loop.callAt(10.4, note("B"))
  loop.callAt(10.95, () => loop.stop())
  await runUntilStopped(loop)
  t.same(order, ["A", "B", "F", "G", "E", "C", "D"])
})

t.test("callAt works on any clock: huge, negative, and past Node's 2^31-1 ms timer limit", async (t) => {
  for (const origin of [2 ** 40, -5_000.5, 1.7e12, 2 ** 31 - 3]) {
    const clock = manualClock(origin)
    const loop = newLoop(t, { timeFunc: clock.time })
    const order: number[] = []
    loop.callAt(origin + 2 ** 31 + 7, () => order.push(3))
    loop.callAt(origin + 0.5, () => order.push(1))
    loop.callAt(origin + 5, () => order.push(2))
    loop.callAt(origin + 2 ** 31 + 7, () => {
      order.push(4)
      loop.stop()
    })
    loop.addCallback(() => (clock.now = origin + 2 ** 32))
    await runUntilStopped(loop)
    t.same(order, [1, 2, 3, 4], `clock at ${origin}`)
  }
})

t.test("removing a timeout after it ran is harmless to the timeouts beside it", async (t) => {
  const clock = manualClock(100)
  const loop = newLoop(t, { timeFunc: clock.time })
  const order: string[] = []
  const first = loop.callAt(100.1, () => order.push("first"))
  const later = loop.callAt(100.3, () => order.push("never"))
  loop.callAt(100.2, () => {
    loop.removeTimeout(first) // already ran in this pass
    loop.removeTimeout(first)
    loop.removeTimeout(later) // due in this same pass, not run yet
    order.push("second")
  })
  loop.callAt(100.4, () => order.push("third"))
  loop.callAt(100.5, () => loop.stop())
  loop.addCallback(() => (clock.now = 101))
  await runUntilStopped(loop)
  t.same(order, ["first", "second", "third"])
  t.equal(first.pending, false)
  t.equal(later.pending, false)
  // A removal after the loop went on: the queue has nothing of it any more.
  t.doesNotThrow(() => loop.removeTimeout(first))
})

t.test(
  "removing every timeout of a millisecond, then adding to it again, still runs the new ones",
  async (t) => {
    const clock = manualClock(0)
    const loop = newLoop(t, { timeFunc: clock.time })
    const order: number[] = []
    for (let round = 0; round < 3; round++) {
      const handles = [0.1, 0.2, 0.3].map((offset) => loop.callAt(50 + offset, () => order.push(-1)))
      for (const handle of handles) loop.removeTimeout(handle)
      loop.callAt(50.5, () => order.push(round))
    }
    loop.callAt(50.9, () => loop.stop())
    loop.addCallback(() => (clock.now = 51))
    await runUntilStopped(loop)
    t.same(order, [0, 1, 2])
  },
)

t.test("add/remove cycles over many distinct milliseconds keep the queue's slot heap bounded", async (t) => {
  const clock = manualClock(0)
  const loop = newLoop(t, { timeFunc: clock.time })
  const queue = (loop as unknown as { timeouts: { size: number; slots: { size: number } } }).timeouts
  for (let i = 0; i < 5000; i++)
    loop.removeTimeout(loop.callAt(10 + i, () => t.fail("a removed timeout ran")))
  t.equal(queue.size, 0, "no entry held")
  t.ok(queue.slots.size <= 2048, `the slot heap holds ${queue.slots.size} slots`)
  let ran = false
  loop.callAt(7, () => {
    ran = true
    loop.stop()
  })
  loop.addCallback(() => (clock.now = 10_000))
  await runUntilStopped(loop)
  t.ok(ran)
})

t.test("cancelling most of one millisecond's timeouts leaves the rest to run once, in order", async (t) => {
  const clock = manualClock(0)
  const loop = newLoop(t, { timeFunc: clock.time })
  const ran: number[] = []
  const handles = []
  for (let i = 0; i < 1000; i++)
    handles.push(loop.callAt(5 + (i % 10) / 20, (index: number) => ran.push(index), i))
  const kept = [...Array(1000).keys()].filter((i) => i % 9 === 0)
  for (let i = 0; i < 1000; i++) if (i % 9 !== 0) loop.removeTimeout(handles[i]!)
  loop.callAt(6, () => loop.stop())
  loop.addCallback(() => (clock.now = 7))
  await runUntilStopped(loop)
  t.same(
    ran,
    kept.sort((a, b) => (a % 10) - (b % 10) || a - b),
  )
})
