// examples/echostream: ROUTER echo + DEALER client on ZMQStream, the default `pnpm example`.
import { readFileSync } from "node:fs"
import t from "tap"
import { start } from "./helpers/run.js"

t.test(
  "`pnpm example` with no name runs echostream, which prints round trips and rates and exits 0",
  async (t) => {
    const demo = start(t, ["examples/run.mjs"])
    t.equal(await demo.exit(60000), 0, "exits 0")
    const output = demo.lines.join("\n")
    t.match(output, /round trip 1: sent "ping 1", got "ping 1" back in [\d.]+ ms/)
    t.match(output, /one at a time: 5000 round trips in [\d.]+ ms, \d+ per second/)
    t.match(output, /all in flight: 5000 round trips in [\d.]+ ms, \d+ per second/)
    t.match(output, /echostream done/)
    t.same(demo.leftBehind(), [], "no process left, the runner's child included")
  },
)

t.test("echostream.mjs takes --count", async (t) => {
  const run = start(t, ["examples/echostream/echostream.mjs", "--count", "50"])
  t.equal(await run.exit(), 0)
  t.ok(run.lines.some((line) => line.startsWith("one at a time: 50 round trips")))
  t.ok(run.lines.some((line) => line.startsWith("all in flight: 50 round trips")))
})

t.test("past --timeout, echostream says how far it got and exits 1", async (t) => {
  // 1 ms: the watchdog fires before the first reply can come back.
  const run = start(t, ["examples/echostream/echostream.mjs", "--timeout", "1"])
  t.equal(await run.exit(), 1)
  t.match(run.lines.at(-1), /^echostream: \d+ of \d+ replies in phase "[a-z ]+" after 1 ms$/)
})

t.test("`pnpm example --list` names every example of the README's table, with a description", async (t) => {
  const list = start(t, ["examples/run.mjs", "--list"])
  t.equal(await list.exit(), 0)
  const names = list.lines.map((line) => line.split(/\s+/)[0])
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8")
  const listed = [...readme.matchAll(/^\| `([\w-]+)` +\|/gm)].map((match) => match[1])
  t.ok(listed.includes("echostream"), "the README's table was read")
  t.same(names, listed, "the same names, in the same order")
  t.ok(
    list.lines.every((line) => line.trim().length > line.split(/\s+/)[0]!.length + 10),
    "each with a description",
  )
  const unknown = start(t, ["examples/run.mjs", "nope"])
  t.equal(await unknown.exit(), 2, "an unknown name is a usage error")
})
