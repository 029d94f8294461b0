import t from "tap"
import { ExceptionStackContext, NullContext, StackContext, wrap } from "../src/index.js"
import { deferred, later, tracker } from "./helpers/contexts.js"

// Ported: tornado/test/stack_context_test.py (v4.5) StackContextTest.test_exit_library_context
t.test("a library's own context stays outside the application's callback it hands back", async (t) => {
  const { active, context } = tracker()
  const done = deferred()
  const libraryFunction = (callback: () => void) => {
    // capture the caller's contexts before introducing the library's own
    const appCallback = wrap(callback)
    new StackContext(context("library")).run(() => later(() => libraryInnerCallback(appCallback)))
  }
  const libraryInnerCallback = (callback: () => void) => {
    t.same(active.slice(-2), ["application", "library"])
    callback()
  }
  const finalCallback = () => {
    // The library context is still on the real call stack, but the application's is innermost again.
    t.equal(active.at(-1), "application")
    done.resolve()
  }
  new StackContext(context("application")).run(() => libraryFunction(finalCallback))
  await done.promise
})

// Ported: StackContextTest.test_isolation_nonempty
t.test("a wrapped callback does not pass on contexts merely active where it was called", async (t) => {
  const { active, context } = tracker()
  const done = deferred()
  const f2 = () => {
    t.ok(active.includes("c1"), "f2 runs in c1")
    later(f3)
  }
  const f3 = () => {
    t.ok(active.includes("c1"), "f3 runs in c1")
    t.notOk(active.includes("c2"), "f3 does not run in c2")
    done.resolve()
  }
  later(() => {
    const wrapped = new StackContext(context("c1")).run(() => wrap(f2))
    new StackContext(context("c2")).run(() => wrapped())
  })
  await done.promise
})

// Ported: StackContextTest.test_isolation_empty
t.test("a callback wrapped with no context active runs with the stack emptied", async (t) => {
  const { active, context } = tracker()
  const done = deferred()
  const f2 = () => later(f3)
  const f3 = () => {
    t.notOk(active.includes("c2"))
    done.resolve()
  }
  later(() => {
    const wrapped = new NullContext().run(() => wrap(f2))
    new StackContext(context("c2")).run(() => wrapped())
  })
  await done.promise
})

// Ported: StackContextTest.test_pre_wrap
t.test(
  "a pre-wrapped callback runs in the contexts where it was wrapped, not where it was scheduled",
  async (t) => {
    const { active, context } = tracker()
    const done = deferred()
    const f1 = () => {
      t.ok(active.includes("c1"))
      t.notOk(active.includes("c2"))
      done.resolve()
    }
    const wrapped = new StackContext(context("c1")).run(() => wrap(f1))
    new StackContext(context("c2")).run(() => later(wrapped))
    await done.promise
  },
)

// Ported: StackContextTest.test_pre_wrap_with_args
t.test("a pre-wrapped callback receives the arguments it is scheduled with", async (t) => {
  const { active, context } = tracker()
  const done = deferred<[number, string]>()
  const f1 = (foo: number, bar: string) => {
    t.ok(active.includes("c1"))
    t.notOk(active.includes("c2"))
    done.resolve([foo, bar])
  }
  const wrapped = new StackContext(context("c1")).run(() => wrap(f1))
  new StackContext(context("c2")).run(() => later(wrapped, 1, "two"))
  t.same(await done.promise, [1, "two"])
})

t.test("a wrapped function returns the wrapped function's value, with or without contexts", async (t) => {
  t.equal(wrap(() => 42)(), 42)
  t.equal(new StackContext((run) => run()).run(() => wrap(() => 43))(), 43)
  t.equal(new ExceptionStackContext(() => false).run(() => wrap(() => 44))!(), 44)
})

t.test("a wrapped function passes its arguments through but not this", async (t) => {
  function record(this: unknown, ...args: unknown[]) {
    return { self: this, args }
  }
  const plain = wrap(record)
  const captured = new StackContext((run) => run()).run(() => wrap(record))
  const receiver = { plain, captured }
  t.same(receiver.plain(1, "a", null), { self: undefined, args: [1, "a", null] })
  t.same(receiver.captured(2, "b"), { self: undefined, args: [2, "b"] })
})

t.test("wrap(null) and wrap(undefined) return their argument", async (t) => {
  t.equal(wrap(null), null)
  t.equal(wrap(undefined), undefined)
})

t.test("wrapping a wrapped function returns it unchanged and keeps its first capture", async (t) => {
  const { active, context } = tracker()
  const once = new StackContext(context("first")).run(() => wrap(() => [...active]))
  const twice = new StackContext(context("second")).run(() => wrap(once))
  t.equal(twice, once)
  t.same(twice(), ["first"])
  const empty = wrap(() => 1)
  t.equal(wrap(empty), empty)
})

t.test("wrap with no context active still returns a new function", async (t) => {
  const fn = () => 1
  const wrapped = wrap(fn)
  t.not(wrapped, fn)
  t.equal(wrapped(), 1)
})

t.test("a callback wrapped inside a no-context wrapper captures nothing from the caller", async (t) => {
  const { active, context } = tracker()
  const outer = wrap(() => wrap(() => [...active]))
  const inner = new StackContext(context("caller")).run(() => outer())
  t.same(inner(), [], "the caller's context was hidden when inner was wrapped")
})

t.test("the captured contexts are re-entered outermost first on every call", async (t) => {
  const { active, context } = tracker()
  const calls: string[][] = []
  const wrapped = new StackContext(context("outer")).run(() =>
    new StackContext(context("inner")).run(() => wrap(() => calls.push([...active]))),
  )
  wrapped()
  wrapped()
  t.same(calls, [
    ["outer", "inner"],
    ["outer", "inner"],
  ])
  t.same(active, [])
})

t.test("calling a wrapped function inside its own contexts enters them again", async (t) => {
  const { active, context } = tracker()
  const seen = new StackContext(context("c1")).run(() => wrap(() => [...active])())
  t.same(seen, ["c1", "c1"])
})
