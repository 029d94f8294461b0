import t from "tap"
import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { CHILD_NODE } from "./helpers/child-node.js"

const example = fileURLToPath(new URL("../examples/echo.mjs", import.meta.url))
const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8")

t.test("the README's example is the file examples/echo.mjs, and it runs", async (t) => {
  const code = readFileSync(example, "utf8")
  t.ok(readme.includes(code.slice(code.indexOf("\n") + 1)), "README and examples/echo.mjs agree")
  const result = spawnSync(CHILD_NODE, [example], { encoding: "utf8", timeout: 60_000 })
  t.equal(result.status, 0, result.stderr)
  t.equal(result.stdout, "echoed: hello\nechoed: world\n")
})
