// The workspace README's examples table lists what `pnpm example --list` lists (examples/README.md's own
// table is checked in echostream.ts), so a new example cannot be left out of the page users read first.
import t from "tap"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { root, start } from "./helpers/run.js"

t.test(
  "the workspace README's examples table names every example, in `pnpm example --list`'s order",
  async (t) => {
    const list = start(t, ["examples/run.mjs", "--list"])
    t.equal(await list.exit(), 0)
    const names = list.lines.map((line) => line.split(/\s+/)[0])

    const readme = readFileSync(join(root, "README.md"), "utf8")
    const section = readme.split(/^## /m).find((part) => part.startsWith("Examples\n"))
    if (section === undefined) return t.fail('README.md has no "## Examples" section')
    const rows = [...section.matchAll(/^\| `([\w-]+)` +\| *(.*?) *\|$/gm)]
    t.same(
      rows.map(([, name]) => name),
      names,
      "the same names, in the same order",
    )
    t.ok(
      rows.every(([, , about]) => about!.length > 10),
      "each with what it shows",
    )
  },
)
