import t from "tap"
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { Worker } from "node:worker_threads"
import { ExceptionStackContext } from "@zmq-eventloop/stack-context"
import { IOLoop, TimeoutError, type IOLoopOptions } from "../src/index.js"
import { MemoryLogger, newLoop, runUntilStopped } from "./helpers/loop.js"
import { CHILD_NODE } from "./helpers/child-node.js"
import { within } from "./helpers/deadline.js"
import { withFakeGlobalTimers } from "./helpers/fake-timers.js"

t.afterEach(() => {
  IOLoop.clearCurrent()
  IOLoop.clearInstance()
})

t.test("start() while running throws synchronously", async (t) => {
  // tornado test_reentrant
  const loop = newLoop(t)
  let thrown: unknown
  loop.addCallback(() => {
    try {
      void loop.start()
    } catch (error) {
      thrown = error
    }
    loop.stop()
  })
  await runUntilStopped(loop)
  t.match(thrown, { message: "IOLoop is already running" })
})

t.test("stop() before start() makes the next start() return at once, and only that one", async (t) => {
  const loop = newLoop(t)
  let ran = false
  loop.addCallback(() => (ran = true))
  loop.stop()
  await loop.start()
  t.equal(ran, false, "nothing ran")
  loop.callLater(1, () => loop.stop())
  await runUntilStopped(loop)
  t.equal(ran, true, "the second start runs normally")
})

t.test("stop() in a callback lets the rest of that phase and one more pass run", async (t) => {
  const loop = newLoop(t)
  const order: string[] = []
  loop.addCallback(() => {
    order.push("a")
    loop.stop()
  })
  loop.addCallback(() => order.push("b"))
  await runUntilStopped(loop)
  t.same(order, ["a", "b"])
  t.equal(loop.running(), false)
})

t.test("running() is true between start() and stop()", async (t) => {
  const loop = newLoop(t)
  t.equal(loop.running(), false)
  let during = false
  loop.addCallback(() => {
    during = loop.running()
    loop.stop()
  })
  await runUntilStopped(loop)
  t.equal(during, true)
  t.equal(loop.running(), false)
})

t.test("a new loop becomes current when none is", async (t) => {
  // tornado TestIOLoopCurrent.test_default_current
  const loop = new IOLoop()
  t.teardown(() => loop.close())
  t.equal(IOLoop.current(), loop)
  const second = new IOLoop()
  t.teardown(() => second.close())
  t.equal(IOLoop.current(), loop, "a second loop is made but not current")
})

t.test("makeCurrent: false leaves no loop current until the loop runs", async (t) => {
  // tornado TestIOLoopCurrent.test_non_current
  const loop = new IOLoop({ makeCurrent: false })
  t.teardown(() => loop.close())
  t.equal(IOLoop.current(false), null)
  for (let round = 1; round <= 3; round++) {
    let during: IOLoop | null = null
    loop.addCallback(() => {
      during = IOLoop.current()
      loop.stop()
    })
    await runUntilStopped(loop)
    t.equal(during, loop, `current while running, round ${round}`)
    t.equal(IOLoop.current(false), null, `start() restores the previous current loop, round ${round}`)
  }
})

t.test("two loops running side by side: in each one's callbacks, current() is that loop", async (t) => {
  // Node runs both (tornado 4.5 runs one per thread); a PeriodicCallback made in C's callback bound D.
  const c = new IOLoop({ makeCurrent: false })
  const d = new IOLoop({ makeCurrent: false })
  t.teardown(() => (c.close(), d.close()))
  const seen: Array<[string, IOLoop | null]> = []
  const cRun = c.start()
  const dRun = d.start()
  const turns = (loop: IOLoop, name: string, left: number): void =>
    loop.addCallback(() => {
      seen.push([name, IOLoop.current(false)])
      if (left > 1) turns(loop, name, left - 1)
      else loop.stop()
    })
  turns(c, "c", 3)
  turns(d, "d", 5)
  await Promise.all([cRun, dRun]) // c stops first: not the reverse order of the starts
  t.ok(
    seen.every(([name, current]) => current === (name === "c" ? c : d)),
    "each callback saw its own loop",
  )
  t.equal(IOLoop.current(false), null, "and once both stopped, no loop is left current")
})

t.test("clearCurrent() with no current loop does nothing", async (t) => {
  // tornado TestIOLoopCurrentAsync.test_clear_without_current
  t.equal(IOLoop.current(false), null)
  t.doesNotThrow(() => IOLoop.clearCurrent())
  t.equal(IOLoop.current(false), null)
})

t.test("makeCurrent: true throws when another loop is current", async (t) => {
  // tornado TestIOLoopCurrent.test_force_current
  const first = new IOLoop({ makeCurrent: true })
  t.teardown(() => first.close())
  t.equal(IOLoop.current(), first)
  t.throws(() => new IOLoop({ makeCurrent: true }), { message: "current IOLoop already exists" })
  t.equal(IOLoop.current(), first)
})

t.test("current() falls back to the global instance, which is created once", async (t) => {
  t.equal(IOLoop.initialized(), false)
  const instance = IOLoop.current()
  t.teardown(() => instance.close())
  t.equal(IOLoop.initialized(), true)
  t.equal(IOLoop.instance(), instance)
  IOLoop.clearCurrent()
  t.equal(IOLoop.current(), instance)
  t.equal(IOLoop.current(false), null)
})

t.test("install() makes a loop the instance and refuses a second one", async (t) => {
  const loop = new IOLoop({ makeCurrent: false })
  t.teardown(() => loop.close())
  loop.install()
  t.equal(IOLoop.instance(), loop)
  const other = new IOLoop({ makeCurrent: false })
  t.teardown(() => other.close())
  t.throws(() => other.install(), { message: "IOLoop instance already initialized" })
  IOLoop.clearInstance()
  t.equal(IOLoop.initialized(), false)
})

t.test("runSync resolves to the function's value, also when it is a promise", async (t) => {
  // tornado test_sync_result / test_async_result
  const loop = newLoop(t)
  t.equal(await loop.runSync(() => 42), 42)
  t.equal(
    await loop.runSync(async () => {
      await new Promise<void>((resolve) => loop.callLater(1, resolve))
      return "later"
    }),
    "later",
  )
})

t.test("runSync rejects with the function's error, thrown or rejected", async (t) => {
  // tornado test_sync_exception / test_async_exception
  const loop = newLoop(t)
  const error = new Error("sync")
  await t.rejects(
    loop.runSync(() => {
      throw error
    }),
    error,
  )
  await t.rejects(
    loop.runSync(async () => {
      await null
      throw new RangeError("async")
    }),
    RangeError,
  )
})

t.test("runSync makes the loop current while the function runs", async (t) => {
  // tornado test_current
  const loop = newLoop(t)
  t.equal(await loop.runSync(() => IOLoop.current()), loop)
})

t.test("runSync rejects with a TimeoutError when the timeout passes first", async (t) => {
  // tornado test_timeout
  const loop = newLoop(t)
  await t.rejects(
    loop.runSync(() => new Promise(() => {}), { timeout: 20 }),
    TimeoutError,
  )
  t.equal(await loop.runSync(() => "still usable"), "still usable")
})

t.test("runSync with timeout 0 resolves to what a function that returns at once returns", async (t) => {
  // tornado's run_sync(func, timeout=0): the result is there before the due timeout stops the loop
  const loop = newLoop(t)
  t.equal(await loop.runSync(() => 42, { timeout: 0 }), 42)
  t.equal(await loop.runSync(() => undefined, { timeout: 0 }), undefined)
  await t.rejects(
    loop.runSync(() => new Promise(() => {}), { timeout: 0 }),
    TimeoutError,
  )
})

t.test("runSync with timeout null, tornado's run_sync(func, timeout=None), has no timeout", async (t) => {
  const loop = newLoop(t)
  const late = () => new Promise<string>((resolve) => loop.callLater(30, () => resolve("done")))
  t.equal(await loop.runSync(late, { timeout: null }), "done")
})

t.test("runSync rejects when the loop is stopped before the function completes", async (t) => {
  // tornado test_stop_no_timeout (RuntimeError "Event loop stopped before Future completed" there)
  const loop = newLoop(t)
  const pending = loop.runSync(async () => {
    await new Promise<void>((resolve) => loop.callLater(1, resolve))
    IOLoop.current().stop()
    await new Promise<void>((resolve) => loop.callLater(10_000, resolve))
  })
  await t.rejects(pending, { message: "IOLoop stopped before the function completed" })
  t.equal(loop.running(), false)
})

t.test("close() refuses a running loop, and every add after close but addCallback throws", async (t) => {
  const loop = newLoop(t)
  let thrown: unknown
  loop.addCallback(() => {
    try {
      loop.close()
    } catch (error) {
      thrown = error
    }
    loop.stop()
  })
  await runUntilStopped(loop)
  t.match(thrown, { message: /IOLoop is running/ })
  loop.close()
  loop.close()
  for (const add of [
    () => loop.callLater(1, () => {}),
    () => loop.addTimeout(1, () => {}),
    () => loop.addPromise(Promise.resolve(), () => {}),
    () => loop.addHandler(0, () => {}, IOLoop.READ),
    () => loop.start(),
  ]) {
    t.throws(add, { message: "IOLoop is closed" })
  }
})

t.test("addCallback and spawnCallback after close() drop the callback without an error", async (t) => {
  // tornado test_add_callback_while_closing (another thread adds callbacks as the loop closes there)
  const loop = newLoop(t)
  loop.addCallback(() => loop.stop())
  await runUntilStopped(loop)
  loop.close(true)
  let ran = 0
  for (let i = 0; i < 1000; i++) {
    loop.addCallback(() => ran++)
    loop.spawnCallback(() => ran++)
  }
  t.equal(ran, 0)
  t.throws(() => loop.addCallback(42 as unknown as () => void), TypeError, "bad input is still refused")
  t.same(loop.memory.lines, [], "nothing logged")
})

t.test("timeFunc replaces the loop's clock for time() and deadlines", async (t) => {
  let now = 1_000_000
  const loop = newLoop(t, { timeFunc: () => now })
  t.equal(loop.time(), 1_000_000)
  let ran = false
  loop.addTimeout(1_000_500, () => {
    ran = true
    loop.stop()
  })
  loop.addCallback(() => (now = 1_000_500))
  await runUntilStopped(loop)
  t.equal(ran, true)
})

t.test(
  "a timeFunc that throws while the loop runs ends the run: start() rejects with its error",
  async (t) => {
    let broken = false
    const loop = newLoop(t, {
      timeFunc: () => {
        if (broken) throw new Error("clock down")
        return performance.now()
      },
    })
    loop.addCallback(() => {
      broken = true
      loop.addCallback(() => {}) // the next iteration reads the clock first: it throws
    })
    await t.rejects(loop.start(), { message: "clock down" })
    t.equal(loop.running(), false)
    broken = false
    loop.addCallback(() => loop.stop())
    await runUntilStopped(loop)
    t.pass("the loop runs again once its clock works")
  },
)

t.test("a timeFunc that throws undefined rejects start() too", async (t) => {
  let calls = 0
  const loop = newLoop(t, {
    timeFunc: () => {
      if (++calls > 1) throw undefined // the constructor's check is the first call
      return 0
    },
  })
  const outcome = await loop.start().then(
    () => "resolved",
    (error: unknown) => ["rejected", error],
  )
  t.same(outcome, ["rejected", undefined])
})

t.test("time() is monotonic milliseconds by default", async (t) => {
  const loop = newLoop(t)
  const a = loop.time()
  const b = loop.time()
  t.ok(b >= a)
  t.ok(Math.abs(a - performance.now()) < 1000)
})

t.test("setBlockingLogThreshold warns about a slow callback with where it was added", async (t) => {
  const loop = newLoop(t)
  loop.setBlockingLogThreshold(5)
  loop.addCallback(function slowCallback() {
    const until = performance.now() + 15
    while (performance.now() < until) {
      // block the loop on purpose
    }
  })
  loop.addCallback(function quickCallback() {})
  loop.callLater(1, () => loop.stop())
  await runUntilStopped(loop)
  // Only the slow callback's warning is certain: a quick one preempted by the OS may be warned about too.
  const warnings = loop.memory.messages("warn").filter((warning) => warning.includes("slowCallback"))
  t.equal(warnings.length, 1)
  t.match(warnings[0], /^IOLoop blocked for \d+\.\d ms in slowCallback\(\)\nregistered at:\n.*lifecycle/s)
  loop.setBlockingLogThreshold(null)
})

t.test("errors in stack contexts around callbacks do not stop the loop", async (t) => {
  const loop = newLoop(t)
  let handled = 0
  new ExceptionStackContext(() => {
    handled++
    return true
  }).run(() => {
    for (let i = 0; i < 3; i++) {
      loop.addCallback(() => {
        throw new Error(String(i))
      })
    }
  })
  loop.callLater(1, () => loop.stop())
  await runUntilStopped(loop)
  t.equal(handled, 3)
})

t.test("a running loop keeps the process alive until stop()", async (t) => {
  const script = `
    import { IOLoop } from ${JSON.stringify(fileURLToPath(new URL("../dist/index.js", import.meta.url)))}
    const loop = new IOLoop()
    let ticks = 0
    const tick = () => { if (++ticks === 3) loop.stop(); else setTimeout(() => loop.addCallback(tick), 5) }
    setTimeout(() => loop.addCallback(tick), 5)
    await loop.start()
    console.log("stopped after", ticks)
  `
  const result = spawnSync(CHILD_NODE, ["--input-type=module", "-e", script], {
    encoding: "utf8",
    timeout: 60_000,
  })
  t.equal(result.stdout.trim(), "stopped after 3", result.stderr)
  t.equal(result.status, 0)
})

t.test(
  "a loop on the interval poller stopped while its sockets are busy lets the process exit",
  async (t) => {
    // While sockets are busy the interval poller checks on every turn of Node's loop, through a setImmediate
    // that keeps the process alive (an unref'd one runs only after other I/O): stop() must end that too.
    // The loop and its sockets are left open, as a program that only stops its loop leaves them.
    const script = `
    import * as zmq from "zeromq"
    import { IOLoop } from ${JSON.stringify(fileURLToPath(new URL("../dist/index.js", import.meta.url)))}
    const loop = new IOLoop({ poller: "interval" })
    const pull = new zmq.Pull({ linger: 0 })
    const push = new zmq.Push({ linger: 0 })
    await pull.bind("inproc://busy")
    push.connect("inproc://busy")
    loop.addHandler(pull, () => loop.stop(), IOLoop.READ)
    loop.addCallback(() => void push.send("ready"))
    await loop.start()
    console.log("stopped")
  `
    const result = spawnSync(CHILD_NODE, ["--input-type=module", "-e", script], {
      cwd: fileURLToPath(new URL("..", import.meta.url)), // resolves zeromq from the package
      encoding: "utf8",
      timeout: 60_000,
    })
    t.equal(result.stdout.trim(), "stopped", result.stderr)
    t.equal(result.status, 0, "exited by itself (not killed by the timeout)")
  },
)

t.test("the constructor validates its options", async (t) => {
  t.throws(() => new IOLoop({ poller: "epoll" as "fd", makeCurrent: false }), TypeError)
  t.throws(() => new IOLoop({ timeFunc: 5 as unknown as () => number, makeCurrent: false }), {
    name: "TypeError",
    message: /^options\.timeFunc must be a function, got 5/,
  })
  for (const [given, shown] of [
    [NaN, "NaN"],
    ["5", "'5'"],
    [undefined, "undefined"],
  ] as const) {
    t.throws(() => new IOLoop({ timeFunc: () => given as number, makeCurrent: false }), {
      name: "TypeError",
      message: `options.timeFunc must return a finite number of ms, got ${shown}`,
    })
  }
  t.throws(() => new IOLoop(null as unknown as IOLoopOptions), TypeError)
  const loop = new IOLoop({ makeCurrent: false, logger: new MemoryLogger(), poller: "interval" })
  t.teardown(() => loop.close())
  t.equal(loop.pollerKind, "interval")
})

t.test("a loop dropped without close() is collected with its sockets, on either poller", async (t) => {
  // tornado's is; ours was not on the fd poller, whose native watchers held their callbacks (and through
  // them the poller, the loop and every registered socket) until closed. Run with --expose-gc in a child.
  for (const poller of ["fd", "interval"]) {
    const script = `
      import { readdirSync } from "node:fs"
      import * as zmq from "zeromq"
      import { IOLoop } from ${JSON.stringify(fileURLToPath(new URL("../dist/index.js", import.meta.url)))}
      const count = () => readdirSync("/proc/self/fd").length
      const before = count()
      for (let i = 0; i < 50; i++) {
        const loop = new IOLoop({ poller: "${poller}", makeCurrent: false })
        loop.addHandler(new zmq.Pull(), () => {}, IOLoop.READ)
      }
      const opened = count() - before
      const deadline = Date.now() + 10_000
      ;(function collect() {
        globalThis.gc()
        const left = count() - before
        if (left < 10 || Date.now() > deadline) return console.log(JSON.stringify({ opened, left }))
        setImmediate(collect)
      })()
    `
    const result = spawnSync(CHILD_NODE, ["--expose-gc", "--input-type=module", "-e", script], {
      cwd: fileURLToPath(new URL("..", import.meta.url)), // resolves zeromq from the package
      encoding: "utf8",
      timeout: 60_000,
    })
    t.equal(result.status, 0, result.stderr)
    const { opened, left } = JSON.parse(result.stdout.trim() || "{}") as { opened: number; left: number }
    t.ok(opened >= 50, `${poller} poller: 50 loops with a socket each opened ${opened} fds`)
    t.ok(left < 10, `${poller} poller: ${left} of them left once collected`)
  }
})

t.test("a loop made, run and closed in a worker thread raises no process warning", async (t) => {
  // Node tracks the fds a worker opens through fs and warns when the worker closes another one with fs;
  // the fd poller's epoll set is made natively, and it closed the set's first fd with fs.closeSync: a
  // Jupyter kernel whose loop runs in a worker printed that warning into `jupyter console`.
  // Without the test runner's loaders (execArgv: []), which warn in a worker of their own on Node 26.
  const worker = new Worker(fileURLToPath(new URL("./fixtures/loop-in-worker.mjs", import.meta.url)), {
    execArgv: [],
  })
  const answer = new Promise<string[]>((resolve, reject) => {
    worker.once("message", resolve)
    worker.once("error", reject)
  })
  const warnings = await within(answer, 20_000, "the worker's answer")
  await worker.terminate()
  t.same(warnings, [])
})

t.test("the loop runs under a test runner's fake timers (the globals faked)", async (t) => {
  // jest's and vitest's fake timers replace setImmediate, setTimeout and queueMicrotask by default: a
  // loop on the globals stalled there (a callback added from a callback never ran, start() never returned
  // after stop()), while plain zeromq.js went on.
  await withFakeGlobalTimers(async (real) => {
    const loop = newLoop(t)
    const ran: string[] = []
    loop.addCallback(() => {
      ran.push("first")
      loop.addCallback(() => {
        ran.push("added from a callback")
        loop.callLater(1, () => {
          ran.push("a timeout")
          loop.stop()
        })
      })
    })
    await within(loop.start(), 10_000, "start() after stop()", real)
    t.same(ran, ["first", "added from a callback", "a timeout"])
  })
})
