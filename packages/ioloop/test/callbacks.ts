import t from "tap"
import { ExceptionStackContext, StackContext } from "@zmq-eventloop/stack-context"
import { newLoop, runUntilStopped } from "./helpers/loop.js"

t.test("callbacks run first-in, first-out, before the timeouts of the same iteration", async (t) => {
  // pyzmq 2.x / tornado: the callbacks phase comes before the timeouts phase
  const loop = newLoop(t)
  const order: string[] = []
  loop.addTimeout(loop.time(), () => order.push("timeout"))
  loop.addCallback(() => order.push("cb1"))
  loop.addCallback(() => order.push("cb2"))
  loop.callLater(5, () => loop.stop())
  await runUntilStopped(loop)
  t.same(order, ["cb1", "cb2", "timeout"])
})

t.test(
  "addCallback returns nothing, and callbacks added by callbacks run on the next iteration",
  async (t) => {
    // tornado test_add_callback_return_sequence
    const loop = newLoop(t)
    const calls: number[] = []
    let iteration = 0
    const callback = (): void => {
      calls.push(iteration)
      if (calls.length < 10) t.equal(loop.addCallback(callback), undefined)
      else loop.stop()
    }
    // a timeout of 0 ms runs once per iteration, marking where each iteration starts
    const tick = (): void => {
      iteration++
      if (loop.running()) loop.callLater(0, tick)
    }
    loop.callLater(0, tick)
    loop.addCallback(callback)
    await runUntilStopped(loop)
    t.equal(calls.length, 10)
    t.ok(
      calls.every((value, i) => i === 0 || value > calls[i - 1]!),
      `one callback per iteration: ${calls.join(",")}`,
    )
  },
)

t.test("addCallback from outside the loop wakes a waiting loop", async (t) => {
  // tornado test_add_callback_wakeup (from another thread there; from a Node timer here)
  const loop = newLoop(t)
  let ranAt = 0
  const asked = loop.time()
  const far = loop.callLater(60_000, () => {})
  setTimeout(
    () =>
      loop.addCallback(() => {
        ranAt = loop.time()
        loop.stop()
      }),
    5,
  )
  await runUntilStopped(loop)
  loop.removeTimeout(far)
  t.ok(ranAt - asked < 1000, "ran long before the only timeout was due")
})

t.test("extra arguments reach the callback", async (t) => {
  const loop = newLoop(t)
  let seen: unknown[] = []
  loop.addCallback(
    (a: number, b: string) => {
      seen = [a, b]
      loop.stop()
    },
    1,
    "b",
  )
  await runUntilStopped(loop)
  t.same(seen, [1, "b"])
})

t.test("a callback's exception is logged and the loop carries on", async (t) => {
  // tornado test_handle_callback_exception / test_exception_logging
  const loop = newLoop(t)
  let after = false
  loop.addCallback(function failing() {
    throw new Error("boom")
  })
  loop.addCallback(() => {
    after = true
    loop.stop()
  })
  await runUntilStopped(loop)
  t.equal(after, true)
  const [line] = loop.memory.lines.filter((l) => l.level === "error")
  t.equal(line?.args[0], "Exception in callback failing()")
  t.match((line?.args[1] as Error).message, "boom")
})

t.test("a callback's rejected promise is logged like a throw", async (t) => {
  // tornado test_exception_logging_future / _native_coro
  const loop = newLoop(t)
  const reported: unknown[] = []
  loop.handleCallbackException = (_callback, error) => {
    reported.push(error)
    loop.stop()
  }
  const error = new Error("async boom")
  loop.addCallback(async () => {
    await null
    throw error
  })
  await runUntilStopped(loop)
  t.same(reported, [error])
  t.equal(reported[0], error, "the same error object")
})

t.test("handleCallbackException can be overridden and receives the callback and error", async (t) => {
  const loop = newLoop(t)
  const seen: [Function, unknown][] = []
  loop.handleCallbackException = (callback, error) => seen.push([callback, error])
  const failing = (): never => {
    throw new TypeError("bad")
  }
  loop.addTimeout(loop.time(), failing)
  loop.callLater(2, () => loop.stop())
  await runUntilStopped(loop)
  t.equal(seen.length, 1)
  t.equal(seen[0]![0], failing)
  t.type(seen[0]![1], TypeError)
})

t.test("callbacks run inside the stack contexts active when they were added", async (t) => {
  // tornado test_pre_wrap / stack_context tests through the loop
  const loop = newLoop(t)
  const handled: unknown[] = []
  const error = new Error("in context")
  new ExceptionStackContext((e) => {
    handled.push(e)
    return true
  }).run(() => {
    loop.addCallback(() => {
      throw error
    })
    loop.callLater(1, () => {
      throw error
    })
  })
  loop.callLater(5, () => loop.stop())
  await runUntilStopped(loop)
  t.same(handled, [error, error])
  t.same(loop.memory.messages("error"), [], "handled errors are not logged")
})

t.test("spawnCallback runs without the caller's stack contexts", async (t) => {
  // tornado test_spawn_callback
  const loop = newLoop(t)
  const entered: string[] = []
  new StackContext((run) => {
    entered.push("context")
    return run()
  }).run(() => {
    loop.spawnCallback(() => entered.push("spawned"))
    loop.addCallback(() => entered.push("added"))
  })
  loop.callLater(2, () => loop.stop())
  await runUntilStopped(loop)
  t.same(entered, ["context", "spawned", "context", "added"])
})

t.test(
  "addPromise calls back on the loop with the settled promise, inside the caller's contexts",
  async (t) => {
    // tornado test_add_future_stack_context
    const loop = newLoop(t)
    const results: unknown[] = []
    const handled: unknown[] = []
    new ExceptionStackContext((e) => {
      handled.push(e)
      return true
    }).run(() => {
      loop.addPromise(Promise.resolve(42), async (promise) => results.push(await promise))
      loop.addPromise(Promise.reject(new Error("rejected")), (promise) => {
        results.push("rejected seen")
        promise.catch(() => {})
        throw new Error("from callback")
      })
    })
    loop.callLater(10, () => loop.stop())
    await runUntilStopped(loop)
    t.same(results.sort(), [42, "rejected seen"].sort())
    t.equal(handled.length, 1)
    t.match((handled[0] as Error).message, "from callback")
  },
)
