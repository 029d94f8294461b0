// install.mjs run several times at once (as test files running side by side do), each with its own name,
// interrupt mode and prefix: each installs its own kernelspec, whole. It once wrote the spec to one shared
// file (kernelspec/kernel.json) and copied that: another install's truncation or spec got copied instead.
import t from "tap"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { start } from "./helpers/run.js"

t.test("installs at once each install their own kernelspec, whole", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "kernel-installs-"))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const installs = Array.from({ length: 48 }, (_, index) => ({
    name: `concurrent-${index}`,
    mode: index % 2 === 0 ? "signal" : "message",
    prefix: join(dir, String(index)),
  }))
  // Twelve at a time.
  for (let first = 0; first < installs.length; first += 12) {
    const batch = installs.slice(first, first + 12)
    const exits = batch.map(({ name, mode, prefix }) =>
      start(t, [
        "examples/jupyter-kernel/install.mjs",
        "--prefix",
        prefix,
        "--name",
        name,
        "--interrupt-mode",
        mode,
      ]).exit(30_000),
    )
    t.same(
      await Promise.all(exits),
      batch.map(() => 0),
      "every install exits 0",
    )
  }
  const wrong = installs.filter(({ name, mode, prefix }) => {
    const text = readFileSync(join(prefix, "share/jupyter/kernels", name, "kernel.json"), "utf8")
    let spec: { interrupt_mode?: string; display_name?: string }
    try {
      spec = JSON.parse(text) as typeof spec
    } catch {
      return true
    }
    return spec.interrupt_mode !== mode || !spec.display_name?.endsWith(` ${name}`)
  })
  t.same(
    wrong.map(({ name }) => name),
    [],
    "each kernel.json parses and holds its own name and mode",
  )
})
