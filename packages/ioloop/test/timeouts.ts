import t from "tap"
import { setTimeout as idleFor } from "node:timers/promises"
import { Timeout } from "../src/index.js"
import { newLoop, runUntilStopped } from "./helpers/loop.js"

t.test("callLater runs the callback after the delay, measured on the loop's clock", async (t) => {
  // tornado test_add_timeout_timedelta / call_later
  const loop = newLoop(t)
  const started = loop.time()
  let ranAt = 0
  loop.callLater(20, () => {
    ranAt = loop.time()
    loop.stop()
  })
  await runUntilStopped(loop)
  t.ok(ranAt - started >= 20, `ran after ${(ranAt - started).toFixed(1)} ms`)
})

t.test("extra arguments reach the timeout's callback", async (t) => {
  // tornado test_timeout_with_arguments
  const loop = newLoop(t)
  const results: unknown[] = []
  loop.addTimeout(loop.time(), (...args: unknown[]) => results.push(args), 1, "two")
  loop.callAt(loop.time(), (x: number) => results.push(x), 3)
  loop.callLater(0, (x: number) => results.push(x), 4)
  loop.callLater(1, () => loop.stop())
  await runUntilStopped(loop)
  t.same(results, [[1, "two"], 3, 4])
})

t.test("addTimeout, callAt and callLater return a Timeout handle", async (t) => {
  // tornado test_add_timeout_return / test_call_at_return / test_call_later_return
  const loop = newLoop(t)
  const handles = [
    loop.addTimeout(loop.time() + 10, () => {}),
    loop.callAt(loop.time() + 10, () => {}),
    loop.callLater(10, () => {}),
  ]
  for (const handle of handles) {
    t.type(handle, Timeout)
    t.equal(handle.pending, true)
    loop.removeTimeout(handle)
    t.equal(handle.pending, false)
  }
})

t.test("timeouts with equal deadlines run in the order added", async (t) => {
  const loop = newLoop(t)
  const order: number[] = []
  const deadline = loop.time() + 5
  for (let i = 0; i < 8; i++) loop.addTimeout(deadline, () => order.push(i))
  loop.addTimeout(deadline + 1, () => loop.stop())
  await runUntilStopped(loop)
  t.same(order, [0, 1, 2, 3, 4, 5, 6, 7])
})

t.test("timeouts run in deadline order whatever the order they were added in", async (t) => {
  const loop = newLoop(t)
  const order: number[] = []
  const base = loop.time()
  for (const delay of [30, 10, 20, 0, 25]) loop.addTimeout(base + delay, () => order.push(delay))
  loop.addTimeout(base + 31, () => loop.stop())
  await runUntilStopped(loop)
  t.same(order, [0, 10, 20, 25, 30])
})

t.test("a removed timeout does not run", async (t) => {
  const loop = newLoop(t)
  let ran = false
  const timeout = loop.callLater(1, () => (ran = true))
  loop.removeTimeout(timeout)
  loop.callLater(10, () => loop.stop())
  await runUntilStopped(loop)
  t.equal(ran, false)
})

t.test("a loop's removeTimeout cancels another loop's timeout there, which runs on", async (t) => {
  // tornado's remove_timeout sets the timeout's callback to None, whichever loop it belongs to
  const mine = newLoop(t)
  const theirs = newLoop(t)
  const ran: string[] = []
  const cancelled = theirs.callLater(1, () => ran.push("cancelled"))
  const sameSlot = theirs.callAt(cancelled.deadline, () => ran.push("same millisecond"))
  const ownInSameSlot = mine.callAt(cancelled.deadline, () => ran.push("mine"))
  mine.removeTimeout(cancelled)
  t.equal(cancelled.pending, false, "cancelled")
  theirs.callLater(5, () => theirs.stop())
  await runUntilStopped(theirs)
  t.same(ran, ["same millisecond"], "the other loop ran its other timeout, not the cancelled one")
  t.equal(sameSlot.pending, false)
  t.equal(ownInSameSlot.pending, true, "this loop's own timeout of that millisecond is still due")
  mine.callLater(5, () => mine.stop())
  await runUntilStopped(mine)
  t.same(ran, ["same millisecond", "mine"])
})

t.test("removing a timeout after it ran is harmless", async (t) => {
  // tornado test_remove_timeout_after_fire
  const loop = newLoop(t)
  const timeout = loop.addTimeout(loop.time(), () => loop.stop())
  await runUntilStopped(loop)
  loop.removeTimeout(timeout)
  loop.removeTimeout(timeout)
  t.equal(timeout.pending, false)
})

t.test("a timeout removed by an earlier timeout of the same pass does not run", async (t) => {
  // tornado test_remove_timeout_from_timeout: three timeouts 10 ms apart, all due by the time the loop
  // starts (the thread is kept busy past the last deadline first), so they come due in one pass
  const loop = newLoop(t)
  const now = loop.time()
  const calls = [false, false]
  const timeouts: Timeout[] = []
  loop.addTimeout(now + 10, () => {
    calls[0] = true
    loop.removeTimeout(timeouts[0]!)
  })
  timeouts.push(loop.addTimeout(now + 20, () => (calls[1] = true)))
  loop.addTimeout(now + 30, () => loop.stop())
  while (loop.time() < now + 30) {
    // tornado's time.sleep(0.03) before the loop runs
  }
  await runUntilStopped(loop)
  t.same(calls, [true, false])
})

t.test("a sub-millisecond delay runs", async (t) => {
  // tornado test_add_timeout_timedelta: timedelta(microseconds=1)
  const loop = newLoop(t)
  let ran = false
  loop.callLater(0.001, () => {
    ran = true
    loop.stop()
  })
  await runUntilStopped(loop)
  t.equal(ran, true)
})

t.test("a timeout that adds a due timeout cannot make it run in the same pass", async (t) => {
  // tornado 4.0: every due timeout is collected before any runs
  const loop = newLoop(t)
  const events: string[] = []
  loop.addTimeout(loop.time(), () => {
    events.push("first")
    loop.addTimeout(0, () => {
      events.push("added")
      loop.stop()
    })
    loop.addCallback(() => events.push("callback"))
  })
  // Stopped by the added timeout, not by a timer: a timer due a few ms later can come due in the same pass as
  // "first" when the loop starts late (a busy machine), and would stop it before the next pass.
  await runUntilStopped(loop)
  t.same(events, ["first", "callback", "added"])
})

t.test("cancelled timeouts are collected so add/remove cycles do not grow the queue", async (t) => {
  // tornado test_remove_timeout_cleanup
  const loop = newLoop(t)
  const queue = (loop as unknown as { timeouts: { size: number } }).timeouts
  for (let i = 0; i < 2000; i++) loop.removeTimeout(loop.callLater(3_600_000, () => {}))
  t.ok(queue.size <= 1030, `queue holds ${queue.size} entries after 2000 add/remove cycles`)
  const kept = loop.callLater(0, () => loop.stop())
  await runUntilStopped(loop)
  t.equal(kept.pending, false)
})

t.test("100k timeouts with every second removed fire exactly once and in order", async (t) => {
  const loop = newLoop(t)
  const count = 100_000
  const fired: number[] = []
  const base = loop.time()
  let seed = 12345
  let latest = 0
  for (let i = 0; i < count; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0
    const deadline = base + 1 + Math.floor((seed * 50) / 2 ** 32)
    const timeout = loop.addTimeout(deadline, (index: number) => fired.push(index), i)
    if (i % 2 === 1) loop.removeTimeout(timeout)
    else latest = Math.max(latest, deadline)
  }
  loop.addTimeout(latest + 1, () => loop.stop())
  await runUntilStopped(loop, 20_000)
  t.equal(fired.length, count / 2, "every kept timeout fired")
  t.equal(new Set(fired).size, fired.length, "none fired twice")
  t.ok(
    fired.every((index) => index % 2 === 0),
    "no removed timeout fired",
  )
})

t.test("a deadline beyond Node's 2^31-1 ms timer limit does not make an idle loop spin", async (t) => {
  const warnings: Error[] = []
  const onWarning = (warning: Error) => void warnings.push(warning)
  process.on("warning", onWarning)
  t.teardown(() => void process.off("warning", onWarning))
  // Each iteration reads the clock: counting those reads counts the loop's wake-ups.
  let clockReads = 0
  const loop = newLoop(t, {
    timeFunc: () => {
      clockReads++
      return performance.now()
    },
  })
  const month = loop.callLater(30 * 24 * 3600 * 1000, () => t.fail("the 30-day timeout ran"))
  const running = loop.start()
  const readsAtStart = clockReads
  // An idle window measured outside the loop (not a wait for an event): the loop must sleep through it.
  await idleFor(200)
  const wakeUps = clockReads - readsAtStart
  loop.removeTimeout(month)
  loop.stop()
  await running
  t.ok(wakeUps < 10, `the idle loop woke ${wakeUps} times in 200 ms (a 1 ms spin would be ~200)`)
  t.same(
    warnings.filter((w) => w.name === "TimeoutOverflowWarning"),
    [],
    "no TimeoutOverflowWarning",
  )
})

t.test(
  "a deadline on the wrong clock (Date.now() based) is warned about once, through the logger",
  async (t) => {
    const loop = newLoop(t)
    const first = loop.addTimeout(Date.now() + 1000, () => {})
    loop.callAt(Date.now() + 2000, () => {})
    const warnings = loop.memory.messages("warn")
    t.equal(warnings.length, 1, "one warning for both")
    t.match(
      warnings[0],
      /^IOLoop\.addTimeout: the deadline is \d+ years after loop\.time\(\); .*not Date\.now\(\)/,
    )
    t.ok(first.pending, "the timeout is still scheduled as asked")
    const sane = newLoop(t)
    sane.callLater(30 * 24 * 3600 * 1000, () => {})
    sane.addTimeout(sane.time() + 1000, () => {})
    t.same(
      sane.memory.messages("warn"),
      [],
      "a long callLater or a time()-based deadline is not warned about",
    )
    const wallClock = newLoop(t, { timeFunc: Date.now })
    wallClock.addTimeout(Date.now() + 1000, () => {})
    t.same(wallClock.memory.messages("warn"), [], "with timeFunc: Date.now the idiom is right")
  },
)

t.test("callLater refuses to schedule while the loop's clock reads NaN", async (t) => {
  // A timeFunc gone wrong after construction: the NaN deadline never fired and reordered the others.
  let now = 1000
  const loop = newLoop(t, { timeFunc: () => now })
  const order: string[] = []
  loop.callLater(20, () => order.push("t20"))
  now = Number.NaN
  t.throws(() => loop.callLater(1, () => order.push("tNaN")), {
    name: "RangeError",
    message: "callLater: loop.time() returned NaN, not a finite number",
  })
  now = 1000
  loop.callLater(5, () => order.push("t5"))
  loop.callLater(30, () => loop.stop())
  now = 1030
  await runUntilStopped(loop)
  t.same(order, ["t5", "t20"])
})
