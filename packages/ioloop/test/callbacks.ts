import t from "tap"
import { ExceptionStackContext, StackContext, wrap } from "@zmq-eventloop/stack-context"
import { tracker } from "../../stack-context/test/helpers/contexts.js"
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

t.test("a timeout a callback or timeout schedules waits for the callbacks it queued first", async (t) => {
  // tornado 4.5 (and 6): the due timeouts are collected before the callbacks run, so callLater(0) made in
  // this iteration runs in the next one, after the callbacks queued before it
  const loop = newLoop(t)
  const order: string[] = []
  const schedule = (from: string) => {
    loop.addCallback(() => order.push(`callback from ${from}`))
    loop.callLater(0, () => order.push(`callLater(0) from ${from}`))
  }
  loop.addCallback(() => schedule("a callback"))
  loop.addTimeout(loop.time(), () => schedule("a timeout"))
  loop.callLater(20, () => loop.stop())
  await runUntilStopped(loop)
  t.same(order, [
    "callback from a callback",
    "callback from a timeout",
    "callLater(0) from a callback",
    "callLater(0) from a timeout",
  ])
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

t.test("callbacks returning {} or [] are not taken for promises and leave the loop idle", async (t) => {
  // tornado test_add_callback_return_sequence (tornado issue #1803: such a return value made it spin)
  const loop = newLoop(t)
  let added = 0
  const addCallback = loop.addCallback
  loop.addCallback = (callback, ...args) => {
    added++
    addCallback(callback, ...args)
  }
  loop.addCallback(() => ({}))
  loop.addCallback(() => [])
  loop.callLater(50, () => loop.stop())
  await runUntilStopped(loop)
  t.ok(added < 10, `addCallback was called ${added} times`)
  t.same(loop.memory.lines, [], "nothing logged")
})

t.test("a callback added by a timeout runs on the next iteration, not at the next deadline", async (t) => {
  // tornado test_add_callback_wakeup (inside the loop; test_add_callback_wakeup_other_thread is below)
  const loop = newLoop(t)
  const order: string[] = []
  const far = loop.callLater(60_000, () => order.push("far timeout"))
  loop.addTimeout(loop.time(), () => {
    order.push("timeout")
    loop.addCallback(() => {
      order.push("callback")
      loop.stop()
    })
  })
  await runUntilStopped(loop)
  loop.removeTimeout(far)
  t.same(order, ["timeout", "callback"])
})

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

t.test("addCallbackFromSignal from a signal listener runs the callback on the loop", async (t) => {
  // tornado test_add_callback_from_signal
  const loop = newLoop(t)
  let ranInLoop = false
  const onSignal = () =>
    loop.addCallbackFromSignal(() => {
      ranInLoop = loop.running()
      loop.stop()
    })
  process.once("SIGUSR2", onSignal)
  t.teardown(() => void process.off("SIGUSR2", onSignal))
  loop.addCallback(() => process.kill(process.pid, "SIGUSR2"))
  await runUntilStopped(loop)
  t.equal(ranInLoop, true)
})

t.test(
  "addCallbackFromSignal: the callback runs without the contexts of the signal's first listener",
  async (t) => {
    // Node runs a signal's listeners in the async context of its first listener's `process.on`: here a
    // request's StackContext. tornado's add_callback_from_signal adds the callback under a NullContext.
    const signal = "SIGWINCH"
    t.equal(process.listenerCount(signal), 0, `nothing listens for ${signal} yet (this test adds the first)`)
    const loop = newLoop(t)
    const { active, context } = tracker()
    const seen: string[][] = []
    const onSignal = () => {
      loop.addCallbackFromSignal(() => seen.push([...active]))
      loop.addCallbackFromSignal(wrapped, "after")
    }
    const wrapped = new StackContext(context("wrapped")).run(() =>
      wrap((label: string) => {
        seen.push([...active, label])
        loop.stop()
      }),
    )
    new StackContext(context("request")).run(() => process.once(signal, onSignal))
    t.teardown(() => void process.off(signal, onSignal))
    loop.addCallback(() => process.kill(process.pid, signal))
    await runUntilStopped(loop)
    t.same(seen, [[], ["wrapped", "after"]], "none; a pre-wrapped callback keeps its own (test_pre_wrap)")
  },
)

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

t.test("an async callback's error is logged as an exception in that callback", async (t) => {
  // tornado test_exception_logging_future / test_exception_logging_native_coro, with the default handler
  const loop = newLoop(t)
  loop.addCallback(async function failsLater() {
    loop.addCallback(() => loop.addCallback(() => loop.stop()))
    await null
    throw new Error("async boom")
  })
  await runUntilStopped(loop)
  const [line] = loop.memory.lines.filter((l) => l.level === "error")
  t.equal(line?.args[0], "Exception in callback failsLater()")
  t.match((line?.args[1] as Error).message, "async boom")
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

t.test(
  "a pre-wrapped callback added to the loop runs in the contexts where it was wrapped, with its arguments",
  async (t) => {
    // tornado TestIOLoopAddCallback.test_pre_wrap / test_pre_wrap_with_args
    const loop = newLoop(t)
    const { active, context } = tracker()
    const seen: unknown[] = []
    const f1 = (foo?: number, bar?: number) => {
      seen.push({ active: [...active], args: [foo, bar] })
      if (seen.length === 2) loop.stop()
    }
    const wrapped = new StackContext(context("c1")).run(() => wrap(f1))
    new StackContext(context("c2")).run(() => {
      loop.addCallback(wrapped)
      loop.addCallback(wrapped, 1, 2)
    })
    await runUntilStopped(loop)
    t.same(seen, [
      { active: ["c1"], args: [undefined, undefined] },
      { active: ["c1"], args: [1, 2] },
    ])
  },
)

t.test("an error three callbacks down a chain reaches the context where the chain started", async (t) => {
  // tornado stack_context_test HTTPStackContextTest.test_stack_context, without the HTTP server: the
  // handler's callback adds part2, which adds part3, which throws
  const loop = newLoop(t)
  const error = new Error("test exception")
  const handled: unknown[] = []
  const part3 = () => {
    throw error
  }
  const part2 = () => loop.addCallback(part3)
  new ExceptionStackContext((e) => {
    handled.push(e)
    loop.stop()
    return true
  }).run(() => loop.addCallback(part2))
  await runUntilStopped(loop)
  t.same(handled, [error])
  t.same(loop.memory.messages("error"), [], "handled, so not logged")
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

t.test("an added callback's error goes to the caller's handler, a spawned one's to the log", async (t) => {
  // tornado test_spawn_callback: the test's stack context re-raises the first error; the second is logged
  const loop = newLoop(t)
  const handled: string[] = []
  new ExceptionStackContext((error) => {
    handled.push((error as Error).message)
    return true
  }).run(() => {
    loop.addCallback(function added() {
      throw new Error("added")
    })
    loop.spawnCallback(function spawned() {
      throw new Error("spawned")
    })
  })
  loop.addCallback(() => loop.stop())
  await runUntilStopped(loop)
  t.same(handled, ["added"])
  t.same(loop.memory.messages("error"), ["Exception in callback spawned()"])
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
