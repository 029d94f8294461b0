import t from "tap"
import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const example = fileURLToPath(new URL("../examples/echo.mjs", import.meta.url))
const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8")

t.test(
  "the README's example is the file examples/echo.mjs, and it prints what the README says",
  async (t) => {
    t.ok(readme.includes(readFileSync(example, "utf8")), "README and examples/echo.mjs agree")
    const result = spawnSync(process.execPath, [example], { encoding: "utf8", timeout: 15_000 })
    t.equal(result.status, 0, result.stderr)
    t.equal(result.stdout, "sent 1 part ok\nhéllo { answer: 42 } <Buffer 01 02 03>\n")
    t.ok(readme.includes("It prints `sent 1 part ok`, then `héllo { answer: 42 } <Buffer 01 02 03>`."))
  },
)
