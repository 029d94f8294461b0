// runInExecutor / setDefaultExecutor and the WorkerPool behind them, with real worker threads: results,
// errors, the pool's life with its loop, and bad input.
import t from "tap"
import { threadId } from "node:worker_threads"
import { IOLoop, WorkerPool } from "../src/index.js"
import { newLoop } from "./helpers/loop.js"

/** The worker thread a function runs on (self-contained: it runs from its source in the worker). */
const whereAmI = async () => (await import("node:worker_threads")).threadId

t.test("runInExecutor(null, fn, ...args) runs fn on a worker; the loop takes the promise", async (t) => {
  const loop = newLoop(t)
  const sum = await loop.runInExecutor(null, (a: number, b: number) => a + b, 2, 3)
  t.equal(sum, 5)
  const thread = await loop.runInExecutor(null, whereAmI)
  t.not(thread, threadId, "not the loop's thread")
  const delivered = await loop.runSync(
    () =>
      new Promise<number>((resolve) =>
        loop.addPromise(
          loop.runInExecutor(undefined, (n: number) => n * 2, 21),
          (done) => void done.then(resolve),
        ),
      ),
  )
  t.equal(delivered, 42, "addPromise calls back on the loop with the settled promise")
})

t.test("two calls run at the same time: each waits for the other and neither deadlocks", async (t) => {
  // tornado test_run_in_executor_gen / _native: two sync functions that deadlock unless run in parallel
  // (threading.Event there; a SharedArrayBuffer flag per call and Atomics.wait, with a deadline, here)
  const loop = newLoop(t)
  const pool = new WorkerPool({ size: 2 })
  t.teardown(() => pool.shutdown())
  const flags = new Int32Array(new SharedArrayBuffer(8))
  const meet = (flags: Int32Array, mine: number, other: number) => {
    Atomics.store(flags, mine, 1)
    Atomics.notify(flags, mine)
    return Atomics.wait(flags, other, 0, 10_000) === "timed-out" ? "timed out" : mine
  }
  const met = await Promise.all([
    loop.runInExecutor(pool, meet, flags, 0, 1),
    loop.runInExecutor(pool, meet, flags, 1, 0),
  ])
  t.same(met, [0, 1])
})

t.test("a call's error rejects its promise with the same class, message and fields", async (t) => {
  const loop = newLoop(t)
  const thrown = loop.runInExecutor(
    null,
    (limit: number) => {
      throw Object.assign(new RangeError(`over ${limit}`), { code: "E_LIMIT" })
    },
    7,
  )
  await t.rejects(thrown, { name: "RangeError", message: "over 7", code: "E_LIMIT" })
  await t.rejects(
    loop.runInExecutor(null, async () => Promise.reject(new TypeError("late"))),
    { name: "TypeError", message: "late" },
    "an async function's rejection too",
  )
  await t.rejects(
    loop.runInExecutor(null, () => process.exit(3)),
    {
      message: "the worker running it exited with code 3",
    },
  )
  t.equal(await loop.runInExecutor(null, () => "still working"), "still working", "a dead worker is replaced")
})

t.test("the default pool closes with the loop; a set default executor too", async (t) => {
  const loop = new IOLoop({ makeCurrent: false })
  const blocked = loop.runInExecutor(null, () => new Promise(() => {})) // never ends by itself
  await loop.runInExecutor(null, () => 0) // the pool is up and running both
  loop.close()
  await t.rejects(blocked, { message: "the WorkerPool is shut down" }, "the running call is cut off")
  t.throws(() => loop.runInExecutor(null, () => 0), { message: "IOLoop is closed" })

  const other = new IOLoop({ makeCurrent: false })
  const pool = new WorkerPool({ size: 1 })
  other.setDefaultExecutor(pool)
  const [first, second] = await Promise.all([
    other.runInExecutor(null, whereAmI),
    other.runInExecutor(null, whereAmI),
  ])
  t.equal(first, second, "a pool of size 1 runs both calls on its one worker")
  other.close()
  t.throws(() => pool.submit(() => 0), { message: "submit: the WorkerPool is shut down" })
  await pool.shutdown() // a second call does nothing
})

t.test("bad input is refused with errors naming it", async (t) => {
  const loop = newLoop(t)
  t.throws(() => loop.runInExecutor("pool" as never, () => 0), {
    name: "TypeError",
    message:
      "executor must be an Executor (an object with submit() and shutdown(), e.g. a WorkerPool), null or undefined, got 'pool'",
  })
  t.throws(() => loop.setDefaultExecutor(null as never), {
    name: "TypeError",
    message: /^executor must be an Executor .*, got null$/,
  })
  t.throws(() => loop.runInExecutor(null, 42 as never), {
    name: "TypeError",
    message: "fn must be a function, got 42",
  })
  for (const fn of [Math.max, (() => 0).bind(null), { method() {} }.method]) {
    t.throws(() => loop.runInExecutor(null, fn as never), {
      name: "TypeError",
      message: /^fn must be a self-contained function expression \(its source runs in a worker\), got /,
    })
  }
  await t.rejects(
    loop.runInExecutor(
      null,
      (f: unknown) => f,
      () => 0,
    ),
    {
      name: "TypeError",
      message: /^args must be structured-cloneable: DataCloneError/,
    },
  )
  t.throws(() => new WorkerPool({ size: 0 }), {
    name: "RangeError",
    message: "options.size must be at least 1, got 0",
  })
  t.throws(() => new WorkerPool({ size: 1.5 }), {
    name: "TypeError",
    message: "options.size must be an integer number of workers, got 1.5",
  })
  t.throws(() => new WorkerPool([] as never), {
    name: "TypeError",
    message: /^options must be an options object/,
  })
  t.throws(() => new WorkerPool({ sise: 2 } as never), {
    name: "TypeError",
    message: "options.sise is not a WorkerPool option (size)",
  })
})
