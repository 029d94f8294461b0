import t, { type Test } from "tap"
import { DelayedCallback, IOLoop, PeriodicCallback, type Timeout } from "../src/index.js"
import { newLoop, runUntilStopped } from "./helpers/loop.js"

/**
 * A loop on a fake clock that jumps to each deadline as it is scheduled, so a PeriodicCallback runs at
 * exactly its deadlines; each call then moves the clock on by the next simulated duration. Returns the
 * deadlines of the calls. (tornado's TestPeriodicCallbackMath.simulate_calls, in ms)
 */
async function simulateCalls(
  t: Test,
  durations: number[],
  options: { jitter?: number } = {},
  form: "loop and options" | "jitter third" = "loop and options",
  duringCall: (periodic: PeriodicCallback, call: number) => void = () => {},
): Promise<number[]> {
  let now = 1_000_000
  const deadlines: number[] = []
  class JumpingLoop extends IOLoop {
    override addTimeout<A extends unknown[]>(
      deadline: number,
      callback: (...args: A) => unknown,
      ...args: A
    ): Timeout {
      deadlines.push(deadline)
      now = Math.max(now, deadline)
      return super.addTimeout(deadline, callback, ...args)
    }
  }
  const loop = new JumpingLoop({ makeCurrent: false, timeFunc: () => now })
  t.teardown(() => loop.close())
  const remaining = [...durations]
  const call = () => {
    duringCall(periodic, durations.length - remaining.length)
    now += remaining.shift()!
    if (remaining.length === 0) {
      periodic.stop()
      loop.stop()
    }
  }
  let periodic: PeriodicCallback
  if (form === "jitter third") {
    periodic = new PeriodicCallback(call, 10_000, options.jitter!)
    loop.makeCurrent() // no loop argument in this form: start() binds the current one
    t.teardown(() => IOLoop.clearCurrent())
  } else {
    periodic = new PeriodicCallback(call, 10_000, loop, options)
  }
  periodic.start()
  await runUntilStopped(loop)
  return deadlines
}

t.test("a periodic callback runs once per period, the first one period after start()", async (t) => {
  // tornado TestPeriodicCallbackMath.test_basic
  t.same(await simulateCalls(t, [0, 0, 0, 0, 0]), [1_010_000, 1_020_000, 1_030_000, 1_040_000, 1_050_000])
})

t.test("an overrunning callback skips the missed slots and stays on the schedule", async (t) => {
  // tornado TestPeriodicCallbackMath.test_overrun
  const durations = [9, 9, 10, 11, 20, 20, 35, 35, 0, 0, 0].map((s) => s * 1000)
  const expected = [1010, 1020, 1030, 1050, 1070, 1100, 1130, 1170, 1210, 1220, 1230].map((s) => s * 1000)
  t.same(await simulateCalls(t, durations), expected)
})

t.test("callbackTime set during a call changes the period from the next scheduling on", async (t) => {
  // tornado's callback_time, a public attribute (a heartbeat that backs off changes it); jitter the same.
  const deadlines = await simulateCalls(t, [0, 0, 0, 0], {}, "loop and options", (periodic, call) => {
    if (call === 1) periodic.callbackTime = 30_000
    if (call === 2) {
      t.throws(() => (periodic.callbackTime = 0), {
        name: "RangeError",
        message: /callbackTime must be positive/,
      })
      t.throws(() => (periodic.jitter = 2), { name: "RangeError", message: /jitter must be within 0–1/ })
      t.throws(() => (periodic.callbackTime = "5" as never), TypeError)
      t.equal(periodic.callbackTime, 30_000, "a refused value changes nothing")
      t.equal(periodic.jitter, 0)
    }
  })
  t.same(deadlines, [1_010_000, 1_020_000, 1_050_000, 1_080_000])
})

t.test("stop() and start() inside the call: one chain, on a grid from the new start", async (t) => {
  // The call's end scheduled the next call beside start()'s: a second chain, off the grid.
  const deadlines = await simulateCalls(t, [0, 0, 0, 0], {}, "loop and options", (periodic, call) => {
    if (call === 1) {
      periodic.stop()
      periodic.start()
    }
  })
  t.same(deadlines, [1_010_000, 1_020_000, 1_030_000, 1_040_000])
})

t.test("a clock going backwards still advances the schedule by one period", async (t) => {
  // tornado TestPeriodicCallbackMath.test_clock_backwards
  const seconds = (values: number[]) => values.map((s) => s * 1000)
  t.same(await simulateCalls(t, seconds([-2, -1, -3, -2, 0])), seconds([1010, 1020, 1030, 1040, 1050]))
  t.same(await simulateCalls(t, seconds([-100, 0, 0])), seconds([1010, 1020, 1030]))
})

for (const form of ["loop and options", "jitter third"] as const) {
  t.test(`jitter varies each period by up to half the jitter either way (${form})`, async (t) => {
    // tornado TestPeriodicCallbackMath.test_jitter; "jitter third" is tornado ≥ 5's form, no loop argument
    const randoms = [0.5, 1, 0, 0.75]
    const random = Math.random
    Math.random = () => randoms.shift()!
    try {
      t.same(
        await simulateCalls(t, [0, 0, 0, 0], { jitter: 0.5 }, form),
        [1_010_000, 1_022_500, 1_030_000, 1_041_250],
      )
    } finally {
      Math.random = random
    }
  })
}

t.test("a jitter given third is checked, and leaves no room for options", (t) => {
  t.throws(() => new PeriodicCallback(() => {}, 5, 2), {
    name: "RangeError",
    message: /^jitter must be within/,
  })
  t.throws(() => new PeriodicCallback(() => {}, 5, 0.1 as never, {}), {
    name: "TypeError",
    message: /^options must be left out when the jitter is given third/,
  })
  t.end()
})

/**
 * A loop on a fake clock that moves 1 ms between iterations while the loop runs, as tornado's FakeTimeIOLoop
 * moves it in its poll, so timeouts fire exactly at their deadlines; `at(ms, fn)` runs `fn` as a callback of
 * the iteration where the clock reaches `ms`, and `clockPasses(ms)` resolves once that clock has moved `ms`
 * on (a `callLater` on it, not a wait in real time).
 */
function tickingLoop(t: Test) {
  let now = 0
  const loop = newLoop(t, { timeFunc: () => now })
  const scheduled = new Map<number, () => void>()
  let ticking: NodeJS.Immediate | undefined
  const tick = () => {
    ticking = setImmediate(tick)
    if (!loop.running()) return
    now += 1
    loop.addCallback(scheduled.get(now) ?? (() => {})) // the iteration at the new time
  }
  ticking = setImmediate(tick)
  t.teardown(() => clearImmediate(ticking))
  return {
    loop,
    now: () => now,
    at: (ms: number, fn: () => void) => void scheduled.set(ms, fn),
    clockPasses: (ms: number) => new Promise<void>((resolve) => loop.callLater(ms, resolve)),
  }
}

t.test("on a fake clock, a periodic callback and a callLater(50) stop give the calls 10 to 50", async (t) => {
  // tornado TestPeriodicCallback.test_basic (FakeTimeIOLoop): the stop and the last call are due at the same
  // time; the stop was scheduled first, and the rest of that timeouts pass still runs
  const { loop, now } = tickingLoop(t)
  const calls: number[] = []
  const periodic = new PeriodicCallback(() => calls.push(now()), 10, loop)
  periodic.start()
  loop.callLater(50, loop.stop)
  await runUntilStopped(loop)
  periodic.stop()
  t.same(calls, [10, 20, 30, 40, 50])
})

t.test(
  "a periodic callback made with no loop uses the loop current at start(), before it runs",
  async (t) => {
    // tornado TestPeriodicCallback.test_io_loop_set_at_start: made first, then the loop is made current
    const calls: number[] = []
    const ticking = tickingLoop(t) // not current yet
    const periodic = new PeriodicCallback(() => calls.push(ticking.now()), 10)
    ticking.loop.makeCurrent()
    t.teardown(() => IOLoop.clearCurrent())
    periodic.start()
    ticking.loop.callLater(50, ticking.loop.stop)
    await runUntilStopped(ticking.loop)
    periodic.stop()
    t.same(calls, [10, 20, 30, 40, 50])
  },
)

t.test("start() twice does not double the rate, and stop() cancels the next call", async (t) => {
  const { loop, now, at } = tickingLoop(t)
  const calls: number[] = []
  const periodic = new PeriodicCallback(() => calls.push(now()), 10, loop)
  periodic.start()
  periodic.start()
  t.equal(periodic.isRunning(), true)
  at(55, periodic.stop)
  at(85, loop.stop)
  await runUntilStopped(loop)
  t.same(calls, [10, 20, 30, 40, 50], "one call per slot until stop(), none after")
  t.equal(periodic.isRunning(), false)
})

// tornado ≥ 6.2 test_periodic_async and test_periodic_coro: a 10 ms period, each call awaits 25 ms, and the
// test stops once 3 calls have ended. Tornado 4.5's schedule (and ours before) had started 5 by then.
const promiseStyles = {
  "an async function": (work: () => Promise<void>) => async () => await work(),
  "a function returning a promise (a coroutine)": (work: () => Promise<void>) => () => work(),
}
for (const [style, wrap] of Object.entries(promiseStyles)) {
  t.test(`${style} is awaited: calls never overlap, and an overrun skips the slots it spans`, async (t) => {
    const { loop, now, clockPasses } = tickingLoop(t)
    const started: number[] = []
    let ended = 0
    const periodic = new PeriodicCallback(
      wrap(async () => {
        started.push(now())
        await clockPasses(25)
        if (++ended === 3) {
          periodic.stop()
          loop.addCallback(loop.stop)
        }
      }),
      10,
      loop,
    )
    periodic.start()
    await runUntilStopped(loop)
    t.equal(ended, 3)
    t.same(started, [10, 40, 70], "3 started: each after the previous ended at 35 and 65, on the 10 ms grid")
  })
}

t.test("an async callback's rejection is logged and the calls go on", async (t) => {
  const { loop, now, clockPasses } = tickingLoop(t)
  const started: number[] = []
  const periodic = new PeriodicCallback(
    async () => {
      started.push(now())
      await clockPasses(5)
      if (started.length === 3) loop.stop()
      throw new Error(`call ${started.length}`)
    },
    10,
    loop,
  )
  periodic.start()
  await runUntilStopped(loop)
  t.same(started, [10, 20, 30])
  t.same(
    loop.memory.lines.filter((line) => line.level === "error").map((line) => String(line.args[1])),
    ["Error: call 1", "Error: call 2", "Error: call 3"],
    "each rejection logged, and the next call scheduled after it (5 ms calls, 10 ms period)",
  )
})

t.test("stopped and started again while a call is pending: still one call at a time", async (t) => {
  const { loop, now, at, clockPasses } = tickingLoop(t)
  const started: number[] = []
  let running = 0
  let overlapped = false
  const periodic = new PeriodicCallback(
    async () => {
      started.push(now())
      overlapped ||= ++running > 1
      await clockPasses(25)
      running--
    },
    10,
    loop,
  )
  periodic.start()
  at(20, () => {
    periodic.stop()
    periodic.start() // the call of 10 ms is still pending: it schedules the next when it ends
  })
  at(95, loop.stop)
  await runUntilStopped(loop)
  t.same(started, [10, 40, 70], "the restart at 20 keeps its grid: the next call after 35 is at 40")
  t.notOk(overlapped)
})

t.test("a call pending when its loop closes ends quietly", async (t) => {
  const { loop } = tickingLoop(t)
  let release!: () => void
  const periodic = new PeriodicCallback(
    () =>
      new Promise<void>((resolve) => {
        release = resolve
        loop.stop()
      }),
    10,
    loop,
  )
  periodic.start()
  await runUntilStopped(loop)
  loop.close()
  release()
  await new Promise((resolve) => setImmediate(resolve)) // its end ran: no addTimeout on the closed loop
  t.equal(periodic.isRunning(), true, "still started, on a loop that will never call it")
})

t.test("a periodic callback of loop.stop ends start() while a faster one keeps running", async (t) => {
  // pyzmq test_ioloop.py test_simple: PeriodicCallback(loop.stop, 200) beside PeriodicCallback(noop, 10)
  const loop = newLoop(t)
  let fastCalls = 0
  const stopper = new PeriodicCallback(loop.stop, 200, loop)
  const fast = new PeriodicCallback(() => void fastCalls++, 10, loop)
  fast.start()
  stopper.start()
  await runUntilStopped(loop)
  fast.stop()
  stopper.stop()
  t.equal(loop.running(), false, "start() returned")
  t.ok(fastCalls > 0, `the 10 ms callback ran ${fastCalls} times before the stop`)
})

t.test("a periodic callback binds IOLoop.current() at start() when given no loop", async (t) => {
  const loop = newLoop(t)
  let ranOn: IOLoop | null = null
  const periodic = new PeriodicCallback(() => {
    ranOn = IOLoop.current()
    periodic.stop()
    loop.stop()
  }, 1)
  loop.addCallback(() => periodic.start())
  await runUntilStopped(loop)
  t.equal(ranOn, loop)
})

t.test("a periodic callback's errors are logged and it keeps running", async (t) => {
  const loop = newLoop(t)
  let calls = 0
  const periodic = new PeriodicCallback(
    () => {
      if (++calls === 3) {
        periodic.stop()
        loop.stop()
      }
      throw new Error(`call ${calls}`)
    },
    1,
    loop,
  )
  periodic.start()
  await runUntilStopped(loop)
  t.equal(calls, 3)
  t.equal(loop.memory.messages("error").length, 3)
})

t.test("a PeriodicCallback refuses a period that is not positive", async (t) => {
  t.throws(() => new PeriodicCallback(() => {}, 0), {
    name: "RangeError",
    message: /callbackTime must be positive/,
  })
  t.throws(() => new PeriodicCallback(() => {}, -5), RangeError)
  t.throws(() => new PeriodicCallback(() => {}, Number.NaN), TypeError)
  t.throws(() => new PeriodicCallback("x" as unknown as () => void, 5), {
    message: /^callback must be a function/,
  })
  t.throws(() => new PeriodicCallback(() => {}, 5, null, { jitter: 2 }), RangeError)
  t.throws(() => new PeriodicCallback(() => {}, 5, {} as IOLoop), TypeError)
})

t.test("a DelayedCallback fires once after its delay", async (t) => {
  const loop = newLoop(t)
  let calls = 0
  const started = loop.time()
  let firedAfter = 0
  const delayed = new DelayedCallback(
    () => {
      calls++
      firedAfter = loop.time() - started
    },
    20,
    loop,
  )
  delayed.start()
  delayed.start()
  t.equal(delayed.isRunning(), true)
  loop.callLater(60, () => loop.stop())
  await runUntilStopped(loop)
  t.equal(calls, 1)
  t.ok(firedAfter >= 20)
  t.equal(delayed.isRunning(), false)
})

t.test("a DelayedCallback stopped before it fires never runs, and can be armed again", async (t) => {
  const loop = newLoop(t)
  let calls = 0
  const delayed = new DelayedCallback(
    () => {
      calls++
      loop.stop()
    },
    10,
    loop,
  )
  delayed.start()
  delayed.stop()
  delayed.stop()
  loop.callLater(30, () => {
    t.equal(calls, 0, "the stopped call did not run")
    delayed.start()
  })
  await runUntilStopped(loop)
  t.equal(calls, 1)
  t.throws(() => new DelayedCallback(() => {}, -1), RangeError)
})
