import t from "tap"
import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { CHILD_NODE } from "../../ioloop/test/helpers/child-node.js"

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8")

// Each example the README shows in full: its file under examples/, its output, and the README's sentence.
const examples = [
  {
    file: "echo.mjs",
    stdout: "sent 1 part ok\nhéllo { answer: 42 } <Buffer 01 02 03>\n",
    says: "It prints `sent 1 part ok`, then `héllo { answer: 42 } <Buffer 01 02 03>`.",
  },
  {
    file: "bounded-queue.mjs",
    stdout: "100000 arrived, 0 out of order, queue within its limit: true\n",
    says: "It prints `100000 arrived, 0 out of order, queue within its limit: true`.",
  },
  {
    file: "poller.mjs",
    stdout: "ping back\npong back\n[]\n",
    says: "It prints `ping back`, `pong back`, then `[]`.",
  },
]

for (const { file, stdout, says } of examples) {
  t.test(
    `the README's example is the file examples/${file}, and it prints what the README says`,
    async (t) => {
      const example = fileURLToPath(new URL(`../examples/${file}`, import.meta.url))
      t.ok(readme.includes(readFileSync(example, "utf8")), `README and examples/${file} agree`)
      const result = spawnSync(CHILD_NODE, [example], { encoding: "utf8", timeout: 60_000 })
      t.equal(result.status, 0, result.stderr)
      t.equal(result.stdout, stdout)
      t.ok(readme.includes(says))
    },
  )
}
