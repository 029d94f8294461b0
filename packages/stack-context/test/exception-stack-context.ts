import t from "tap"
import { ExceptionStackContext, StackContext, wrap } from "../src/index.js"
import { deferred, later, tracker } from "./helpers/contexts.js"

t.test("run returns fn's value when nothing is thrown", async (t) => {
  t.equal(
    new ExceptionStackContext(() => true).run(() => 7),
    7,
  )
})

t.test("a handler returning true swallows the error and run returns undefined", async (t) => {
  const error = new Error("boom")
  let received: unknown
  const result = new ExceptionStackContext((e) => {
    received = e
    return true
  }).run(() => {
    throw error
  })
  t.equal(result, undefined)
  t.equal(received, error, "the handler receives the error object itself")
})

t.test("a handler returning false or nothing lets the error through", async (t) => {
  const error = new Error("boom")
  const throwing = () => {
    throw error
  }
  t.throws(() => new ExceptionStackContext(() => false).run(throwing), error)
  t.throws(() => new ExceptionStackContext(() => undefined).run(throwing), error)
})

t.test("handlers run innermost to outermost until one returns truthy", async (t) => {
  const calls: string[] = []
  const handler = (name: string, handles: boolean) =>
    new ExceptionStackContext(() => {
      calls.push(name)
      return handles
    })
  const error = new Error("boom")
  t.throws(
    () =>
      handler("outer", false).run(() =>
        handler("inner", false).run(() => {
          throw error
        }),
      ),
    error,
  )
  t.same(calls, ["inner", "outer"])
})

t.test("an error thrown by a handler replaces the error for the handlers outside", async (t) => {
  const original = new Error("original")
  const replacement = new Error("replacement")
  let outerSaw: unknown
  const result = new ExceptionStackContext((e) => {
    outerSaw = e
    return true
  }).run(() =>
    new ExceptionStackContext(() => {
      throw replacement
    }).run(() => {
      throw original
    }),
  )
  t.equal(result, undefined)
  t.equal(outerSaw, replacement)
})

// tornado/test/stack_context_test.py HTTPStackContextTest, without the HTTP server: an error three callbacks
// later still reaches the handler of the context where the chain started.
t.test(
  "an error in a callback scheduled from a callback reaches the handler of the first context",
  async (t) => {
    const handled = deferred<unknown>()
    const error = new Error("test exception")
    new ExceptionStackContext((e) => {
      handled.resolve(e)
      return true
    }).run(() =>
      later(() =>
        later(() => {
          throw error
        }),
      ),
    )
    t.equal(await handled.promise, error)
  },
)

t.test("the handler runs with its own context still on the stack, as in tornado", async (t) => {
  const { active, context } = tracker()
  let seen: string[] | undefined
  new StackContext(context("outer")).run(() =>
    new ExceptionStackContext(() => {
      seen = wrap(() => [...active])()
      return true
    }).run(() => {
      throw new Error("boom")
    }),
  )
  t.same(seen, ["outer", "outer"], "the outer context is entered, and re-entered by the probe")
})
