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

t.test(
  "an async handler is a TypeError at the constructor: its promise would swallow every error",
  async (t) => {
    t.throws(() => new ExceptionStackContext((async () => false) as never), {
      name: "TypeError",
      message: /^handler must be synchronous/,
    })
  },
)

t.test("a handler that returns a promise: a TypeError carrying the error goes outwards", async (t) => {
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason)
  process.on("unhandledRejection", onUnhandled)
  t.teardown(() => void process.off("unhandledRejection", onUnhandled))
  const error = new Error("boom")
  const promising = new ExceptionStackContext(() => Promise.reject(new Error("handler failed")) as never)
  const thrown = (() => {
    try {
      promising.run(() => {
        throw error
      })
    } catch (caught) {
      return caught
    }
  })()
  t.match(thrown, { name: "TypeError", message: /handler returned a promise/ })
  t.equal((thrown as Error).cause, error, "the error travels as its cause")
  await t.rejects(
    promising.run(() => Promise.reject(error))!,
    { name: "TypeError", cause: error },
    "a rejection of what the code returned too",
  )
  await new Promise((resolve) => setImmediate(resolve))
  t.same(unhandled, [], "the handler's own rejection is not left unhandled")
})
