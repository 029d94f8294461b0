// Beyond tornado: the stack lives in an AsyncLocalStorage, so it follows `await`, and the promise `fn`
// returns is watched by ExceptionStackContext handlers.
import t from "tap"
import { ExceptionStackContext, StackContext, wrap, type Around } from "../src/index.js"
import { deferred, later, nextTurn, tracker } from "./helpers/contexts.js"

t.test("contexts stay on the stack across await inside ctx.run(async () => ...)", async (t) => {
  const { context, seenByCallback } = tracker()
  await new StackContext(context("c1")).run(async () => {
    await nextTurn()
    t.same(seenByCallback(), ["c1"])
    await new StackContext(context("c2")).run(async () => {
      await nextTurn()
      t.same(seenByCallback(), ["c1", "c2"])
    })
    t.same(seenByCallback(), ["c1"], "c2 is gone once its run settled")
  })
  t.same(seenByCallback(), [])
})

t.test("a callback wrapped after an await re-enters the contexts of the run it was wrapped in", async (t) => {
  const { active, context } = tracker()
  const done = deferred<string[]>()
  const outside = new StackContext(context("c1")).run(async () => {
    await nextTurn()
    later(() => done.resolve([...active]))
  })
  await outside
  t.same(await done.promise, ["c1"])
})

t.test("the around function covers only the synchronous part of an async fn", async (t) => {
  const { active, context } = tracker()
  await new StackContext(context("c1")).run(async () => {
    t.same(active, ["c1"], "before the first await")
    await nextTurn()
    t.same(active, [], "the around function has returned")
  })
})

t.test("a rejection of the promise fn returns goes to the handler like a throw", async (t) => {
  const error = new Error("rejected")
  let handled: unknown
  const result = new ExceptionStackContext((e) => {
    handled = e
    return false
  }).run(async () => {
    await nextTurn()
    throw error
  })
  await t.rejects(result as Promise<unknown>, error)
  t.equal(handled, error)
})

t.test("a rejection the handler swallows makes run's promise resolve to undefined", async (t) => {
  const result = new ExceptionStackContext(() => true).run(async () => {
    await nextTurn()
    throw new Error("rejected")
  })
  t.equal(await result, undefined)
})

t.test("an unhandled rejection reaches the caller as the same object through three contexts", async (t) => {
  const error = new Error("rejected")
  const calls: string[] = []
  const handler = (name: string) =>
    new ExceptionStackContext(() => {
      calls.push(name)
      return false
    })
  const result = handler("outer").run(() =>
    new StackContext((run) => run()).run(() =>
      handler("inner").run(async () => {
        await nextTurn()
        throw error
      }),
    ),
  )
  try {
    await result
    t.fail("did not reject")
  } catch (caught) {
    t.equal(caught, error)
  }
  t.same(calls, ["inner", "outer"], "handlers run innermost first")
})

t.test("a fulfilled promise passes through with its value", async (t) => {
  const result = new ExceptionStackContext(() => true).run(async () => {
    await nextTurn()
    return 5
  })
  t.equal(await result, 5)
})

t.test("a rejected thenable that is not a native promise is handled too", async (t) => {
  const error = new Error("rejected")
  const thenable: PromiseLike<never> = {
    then: (_onFulfilled, onRejected) => Promise.reject(error).then(undefined, onRejected),
  }
  let handled: unknown
  const result = new ExceptionStackContext((e) => {
    handled = e
    return true
  }).run(() => thenable)
  t.equal(await result, undefined)
  t.equal(handled, error)
})

t.test("a rejection of a wrapped async callback goes to the handler captured with it", async (t) => {
  const error = new Error("rejected later")
  const handled = deferred<unknown>()
  const wrapped = new ExceptionStackContext((e) => {
    handled.resolve(e)
    return true
  }).run(() =>
    wrap(async () => {
      await nextTurn()
      throw error
    }),
  )
  t.equal(await wrapped!(), undefined)
  t.equal(await handled.promise, error)
})

t.test("a handler for an async rejection runs with its context still on the stack", async (t) => {
  const { context, seenByCallback } = tracker()
  let seen: string[] | undefined
  await new StackContext(context("c1")).run(() =>
    new ExceptionStackContext(() => {
      seen = seenByCallback()
      return true
    }).run(async () => {
      await nextTurn()
      throw new Error("boom")
    }),
  )
  t.same(seen, ["c1"])
})

// Ported: tornado stack_context_test test_yield_outside_with and
// test_yield_outside_with_exception_stack_context: the callback is scheduled inside the context, and awaited
// only after the context's run has returned; the awaiting code is outside the context again.
const outsideWithCases = [
  { kind: "StackContext", make: (context: Around) => new StackContext(context), inside: ["c1"] },
  { kind: "ExceptionStackContext", make: () => new ExceptionStackContext(() => false), inside: [] },
]
for (const { kind, make, inside } of outsideWithCases) {
  t.test(
    `a callback scheduled inside a ${kind} and awaited outside it leaves the stack as it was`,
    async (t) => {
      const { active, context, seenByCallback } = tracker()
      const woken = deferred<string[]>()
      make(context("c1")).run(() => later(() => woken.resolve([...active])))
      t.same(await woken.promise, inside, "the callback ran inside the context")
      t.same(seenByCallback(), [], "nothing of the context is left where the await resumed")
    },
  )
}
