import t from "tap"
import { ExceptionStackContext, NullContext, StackContext, wrap } from "../src/index.js"
import { tracker } from "./helpers/contexts.js"

t.test("callbacks wrapped inside a NullContext capture no context", async (t) => {
  const { active, context } = tracker()
  const wrapped = new StackContext(context("c1")).run(() =>
    new NullContext().run(() => wrap(() => [...active])),
  )
  t.same(wrapped(), [])
})

t.test("a NullContext does not exit the contexts around it", async (t) => {
  const { active, context } = tracker()
  const seen = new StackContext(context("c1")).run(() => new NullContext().run(() => [...active]))
  t.same(seen, ["c1"])
})

t.test("an error thrown inside a NullContext still reaches the handlers around it", async (t) => {
  const error = new Error("boom")
  let handled: unknown
  const result = new ExceptionStackContext((e) => {
    handled = e
    return true
  }).run(() =>
    new NullContext().run(() => {
      throw error
    }),
  )
  t.equal(result, undefined)
  t.equal(handled, error)
})

t.test("NullContext.run returns fn's value", async (t) => {
  t.equal(
    new NullContext().run(() => "value"),
    "value",
  )
})
