// Every example's demo again, on the zeromq.js data path (ZMQ_EVENTLOOP_NATIVE=0): the other tests run the
// examples on the default (native) one, so between them both data paths carry every example.
import { readFileSync } from "node:fs"
import t from "tap"
import { exampleEnv, start } from "./helpers/run.js"

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8")
const names = [...readme.matchAll(/^\| `([\w-]+)` +\|/gm)].map((match) => match[1]!)

for (const name of names) {
  t.test(`pnpm example ${name} exits 0 on the zeromq.js data path`, async (t) => {
    const demo = start(t, ["examples/run.mjs", name], { ...exampleEnv, ZMQ_EVENTLOOP_NATIVE: "0" })
    t.equal(await demo.exit(90_000), 0, `exits 0 (last lines: ${demo.lines.slice(-3).join(" / ")})`)
    t.same(demo.leftBehind(), [], "no process left behind")
  })
}
