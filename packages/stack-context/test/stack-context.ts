import t from "tap"
import { StackContext, wrap } from "../src/index.js"
import { tracker } from "./helpers/contexts.js"

// tornado: StackContext(factory) enters factory() around the body; here the around function does.
t.test("run calls fn inside the around function and returns fn's value", async (t) => {
  const { active, context } = tracker()
  const ctx = new StackContext(context("c1"))
  t.equal(
    ctx.run(() => {
      t.same(active, ["c1"])
      return "value"
    }),
    "value",
  )
  t.same(active, [], "exited after run")
})

t.test("the around function's own return value is ignored", async (t) => {
  const ctx = new StackContext((run) => {
    run()
    return "from around"
  })
  t.equal(
    ctx.run(() => "from fn"),
    "from fn",
  )
})

t.test("the around function is called again on every entry", async (t) => {
  let entries = 0
  const ctx = new StackContext((run) => {
    entries++
    return run()
  })
  const wrapped = ctx.run(() => wrap(() => entries))
  t.equal(entries, 1)
  t.equal(wrapped(), 2)
  t.equal(wrapped(), 3)
})

t.test("the around function runs with its own context already on the stack, as in tornado", async (t) => {
  const { active, context } = tracker()
  let wrappedInAround: (() => string[]) | undefined
  const ctx = new StackContext((run) => {
    wrappedInAround = wrap(() => [...active])
    return context("c1")(run)
  })
  ctx.run(() => undefined)
  t.same(wrappedInAround?.(), ["c1"])
})

t.test("nested contexts are entered outermost first and exited innermost first", async (t) => {
  const events: string[] = []
  const logging = (name: string) =>
    new StackContext((run) => {
      events.push(`enter ${name}`)
      try {
        return run()
      } finally {
        events.push(`exit ${name}`)
      }
    })
  logging("outer").run(() => logging("inner").run(() => events.push("fn")))
  t.same(events, ["enter outer", "enter inner", "fn", "exit inner", "exit outer"])
})

t.test("a StackContext can be run again after it returned", async (t) => {
  const { active, context } = tracker()
  const ctx = new StackContext(context("c1"))
  t.same(
    ctx.run(() => [...active]),
    ["c1"],
  )
  t.same(
    ctx.run(() => [...active]),
    ["c1"],
  )
})
