import t from "tap"
import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { CHILD_NODE } from "../../ioloop/test/helpers/child-node.js"

const example = fileURLToPath(new URL("../examples/curve.mjs", import.meta.url))
const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8")
const output = "client: Hello World; stranger: refused (400)"

t.test(
  "the README's example is the file examples/curve.mjs, and it prints what the README says",
  async (t) => {
    t.ok(readme.includes(readFileSync(example, "utf8")), "README and examples/curve.mjs agree")
    const result = spawnSync(CHILD_NODE, [example], { encoding: "utf8", timeout: 60_000 })
    t.equal(result.status, 0, result.stderr)
    t.equal(result.stdout, `${output}\n`)
    t.ok(readme.includes(`It prints \`${output}\`.`))
  },
)
