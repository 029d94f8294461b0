import t from "tap"
import { ExceptionStackContext, NullContext, StackContext, wrap } from "../src/index.js"
import { deferred, later, tracker } from "./helpers/contexts.js"

// Ported: tornado/test/stack_context_test.py (v4.5) StackContextTest.test_deactivate
t.test(
  "a deactivated context stays where it runs now and is skipped from the next callback on",
  async (t) => {
    const { active, context } = tracker()
    const done = deferred()
    const contexts: StackContext[] = []
    const nest = (name: string, next: () => void) => () => {
      const ctx = new StackContext(context(name))
      contexts.push(ctx)
      ctx.run(() => later(next))
    }
    const f4 = () => {
      t.same(active, ["c1", "c2", "c3"])
      contexts[1]!.deactivate()
      t.same(active, ["c1", "c2", "c3"], "not removed from the code running inside it")
      later(f5)
    }
    const f5 = () => {
      t.same(active, ["c1", "c3"], "missing from the next callback")
      done.resolve()
    }
    later(nest("c1", nest("c2", nest("c3", f4))))
    await done.promise
  },
)

// Ported: StackContextTest.test_deactivate_order (head, middle and tail have separate code paths in tornado)
t.test(
  "deactivation skips a context at the head, in the middle or at the tail of a captured stack",
  async (t) => {
    const { active, context } = tracker()
    const makeWrappedFunction = () =>
      // NullContext removes anything around this test, so that the outermost context can be the one removed
      new NullContext().run(() => {
        const [c0, c1, c2] = ["c0", "c1", "c2"].map((name) => new StackContext(context(name))) as [
          StackContext,
          StackContext,
          StackContext,
        ]
        const func = c0.run(() => c1.run(() => c2.run(() => wrap(() => [...active]))))
        return { func, contexts: [c0, c1, c2] }
      })

    let { func, contexts } = makeWrappedFunction()
    t.same(func(), ["c0", "c1", "c2"], "none deactivated")
    ;({ func, contexts } = makeWrappedFunction())
    contexts[0]!.deactivate()
    t.same(func(), ["c1", "c2"], "outermost deactivated")
    ;({ func, contexts } = makeWrappedFunction())
    contexts[1]!.deactivate()
    t.same(func(), ["c0", "c2"], "middle deactivated")
    ;({ func, contexts } = makeWrappedFunction())
    contexts[2]!.deactivate()
    t.same(func(), ["c0", "c1"], "innermost deactivated")
    ;({ func, contexts } = makeWrappedFunction())
    for (const ctx of contexts) ctx.deactivate()
    t.same(func(), [], "all deactivated")
  },
)

t.test("deactivate() flips active to false for good", async (t) => {
  const ctx = new StackContext((run) => run())
  const handler = new ExceptionStackContext(() => true)
  t.equal(ctx.active, true)
  t.equal(handler.active, true)
  ctx.deactivate()
  handler.deactivate()
  ctx.deactivate()
  t.equal(ctx.active, false)
  t.equal(handler.active, false)
})

t.test("a callback wrapped after deactivate() inside the context skips it when called", async (t) => {
  const { active, context } = tracker()
  const ctx = new StackContext(context("c1"))
  const wrapped = ctx.run(() => {
    ctx.deactivate()
    t.same(active, ["c1"], "still entered here")
    return wrap(() => [...active])
  })
  t.same(wrapped(), [])
})

t.test("a deactivated exception context no longer handles errors of callbacks wrapped in it", async (t) => {
  const handled: unknown[] = []
  const ctx = new ExceptionStackContext((error) => {
    handled.push(error)
    return true
  })
  const error = new Error("boom")
  const wrapped = ctx.run(() =>
    wrap(() => {
      throw error
    }),
  )
  t.equal(wrapped!(), undefined, "handled while active")
  ctx.deactivate()
  t.throws(() => wrapped!(), error, "thrown once deactivated")
  t.same(handled, [error])
})

t.test("a deactivated exception context still handles errors of the code running inside it", async (t) => {
  const error = new Error("boom")
  let handled: unknown
  const ctx = new ExceptionStackContext((e) => {
    handled = e
    return true
  })
  const result = ctx.run(() => {
    ctx.deactivate()
    throw error
  })
  t.equal(result, undefined)
  t.equal(handled, error)
})
