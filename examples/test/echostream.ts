// examples/echostream: ROUTER echo + DEALER client on ZMQStream, the default `pnpm example`.
import t from "tap"
import { alive, start } from "./helpers/run.js"

t.test(
  "`pnpm example` with no name runs echostream, which prints round trips and rates and exits 0",
  async (t) => {
    const demo = start(t, ["examples/run.mjs"])
    t.equal(await demo.exit(20000), 0, "exits 0 within seconds")
    const output = demo.lines.join("\n")
    t.match(output, /round trip 1: sent "ping 1", got "ping 1" back in [\d.]+ ms/)
    t.match(output, /one at a time: 5000 round trips in [\d.]+ ms, \d+ per second/)
    t.match(output, /all in flight: 5000 round trips in [\d.]+ ms, \d+ per second/)
    t.match(output, /echostream done/)
    t.notOk(alive(demo.child.pid!), "no process left")
  },
)

t.test("echostream.mjs takes --count and rejects a bad one", async (t) => {
  const run = start(t, ["examples/echostream/echostream.mjs", "--count", "50"])
  t.equal(await run.exit(), 0)
  t.ok(run.lines.some((line) => line.startsWith("one at a time: 50 round trips")))
  const bad = start(t, ["examples/echostream/echostream.mjs", "--count", "zero"])
  t.equal(await bad.exit(), 2, "usage error: exit 2")
  t.match(bad.lines.join("\n"), /usage: node examples\/echostream\/echostream.mjs/)
})

t.test("`pnpm example --list` names every example with a description", async (t) => {
  const list = start(t, ["examples/run.mjs", "--list"])
  t.equal(await list.exit(), 0)
  const names = list.lines.map((line) => line.split(/\s+/)[0])
  t.same(names, ["echo", "echostream", "pubsub", "asyncweb", "broker", "ironhouse", "jupyter-kernel"])
  const unknown = start(t, ["examples/run.mjs", "nope"])
  t.equal(await unknown.exit(), 2, "an unknown name is a usage error")
})
