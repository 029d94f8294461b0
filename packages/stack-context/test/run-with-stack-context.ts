import t from "tap"
import { ExceptionStackContext, NullContext, StackContext, runWithStackContext } from "../src/index.js"
import { later, tracker } from "./helpers/contexts.js"

// Ported: tornado/test/stack_context_test.py (v4.5) StackContextTest.test_run_with_stack_context. tornado
// checks active_contexts after `yield gen.Task(io_loop.add_callback)`, i.e. inside a callback the loop
// re-entered; the equivalent here is a callback wrapped at that point (seenByCallback).
t.test("runWithStackContext keeps the context for the whole async function, across awaits", async (t) => {
  const { active, context, seenByCallback } = tracker()
  const f1 = async () => {
    t.same(active, ["c1"])
    await runWithStackContext(new StackContext(context("c2")), f2)
    t.same(seenByCallback(), ["c1"])
  }
  const f2 = async () => {
    t.same(active, ["c1", "c2"])
    const inCallback = await new Promise<string[]>((resolve) => later(() => resolve([...active])))
    t.same(inCallback, ["c1", "c2"], "a callback scheduled after the await runs in c1 and c2")
    t.same(seenByCallback(), ["c1", "c2"])
  }
  t.same(active, [])
  await runWithStackContext(new StackContext(context("c1")), f1)
  t.same(active, [])
  t.same(seenByCallback(), [])
})

t.test("runWithStackContext(context, fn) is context.run(fn) for all three context kinds", async (t) => {
  const { active, context } = tracker()
  t.same(
    runWithStackContext(new StackContext(context("c1")), () => [...active]),
    ["c1"],
  )
  t.equal(
    runWithStackContext(new ExceptionStackContext(() => true), () => {
      throw new Error("swallowed")
    }),
    undefined,
  )
  t.equal(
    runWithStackContext(new NullContext(), () => 3),
    3,
  )
})
