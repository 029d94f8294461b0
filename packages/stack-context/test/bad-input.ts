// Bad arguments: a TypeError whose message starts with the argument's name and shows the value received.
import t from "tap"
import { ExceptionStackContext, NullContext, StackContext, runWithStackContext, wrap } from "../src/index.js"

const bad = <T>(value: unknown) => value as T

t.test("new StackContext with a non-function throws TypeError naming around", async (t) => {
  t.throws(() => new StackContext(bad(42)), new TypeError("around must be a function, got 42"))
  t.throws(() => new StackContext(bad(undefined)), new TypeError("around must be a function, got undefined"))
})

t.test("new ExceptionStackContext with a non-function throws TypeError naming handler", async (t) => {
  t.throws(
    () => new ExceptionStackContext(bad("oops")),
    new TypeError("handler must be a function, got 'oops'"),
  )
})

t.test("wrap with a non-function throws TypeError naming fn", async (t) => {
  t.throws(() => wrap(bad(42)), new TypeError("fn must be a function, got 42"))
  t.throws(() => wrap(bad({ a: 1 })), new TypeError("fn must be a function, got { a: 1 }"))
})

t.test("run with a non-function throws TypeError naming fn, for every context kind", async (t) => {
  const error = new TypeError("fn must be a function, got null")
  t.throws(() => new StackContext((run) => run()).run(bad(null)), error)
  t.throws(() => new ExceptionStackContext(() => true).run(bad(null)), error, "not swallowed by the handler")
  t.throws(() => new NullContext().run(bad(null)), error)
})

t.test("runWithStackContext with a non-context or a non-function throws TypeError naming it", async (t) => {
  t.throws(
    () => runWithStackContext(bad(42), () => 1),
    new TypeError("context must be a StackContext, ExceptionStackContext or NullContext, got 42"),
  )
  t.throws(
    () => runWithStackContext(new NullContext(), bad(7)),
    new TypeError("fn must be a function, got 7"),
  )
})
