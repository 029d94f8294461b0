// examples/pubsub: PUB ticks from a PeriodicCallback, SUB streams, an ExceptionStackContext.
import t from "tap"
import { start } from "./helpers/run.js"

t.test(
  "each subscriber gets exactly its topics; bob's errors are handled and the loop goes on",
  async (t) => {
    const run = start(t, ["examples/pubsub/pubsub.mjs", "--ticks", "9", "--period", "10"])
    t.equal(await run.exit(), 0, "exits 0 after the last tick")
    const got = (name: string) => run.lines.filter((line) => line.startsWith(`${name} <- `))
    t.same(got("alice"), ["alice <- weather tick 1", "alice <- weather tick 4", "alice <- weather tick 7"])
    t.same(
      got("bob").map((line) => line.split(" tick ")[1]),
      ["2", "3", "5", "6", "8", "9"],
      "bob: sports and news, including the ticks after each error",
    )
    t.equal(got("carol").length, 9, "carol subscribed to everything")
    t.same(
      run.lines.filter((line) => line.startsWith("bob's error handler caught")),
      [3, 6, 9].map((n) => `bob's error handler caught: bob cannot handle tick ${n} (the loop keeps going)`),
    )
    t.ok(run.lines.includes("alice got 3 ticks") && run.lines.includes("bob got 6 ticks"))
    t.ok(run.lines.includes("carol got 9 ticks") && run.lines.includes("pubsub done"))
    t.notMatch(run.lines.join("\n"), /Uncaught exception/, "no error escaped to the stream's logger")
  },
)

t.test("`pnpm example pubsub` exits 0", async (t) => {
  const demo = start(t, ["examples/run.mjs", "pubsub"])
  t.equal(await demo.exit(), 0, "the demo exits 0", { lines: demo.lines })
  t.same(demo.leftBehind(), [], "no process left")
})
