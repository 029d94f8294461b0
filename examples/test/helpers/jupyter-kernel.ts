// The JavaScript kernel's tests share this: Debian's Python with jupyter_client, and a Jupyter directory
// of their own (kernelspecs, runtime files) so that nothing in the user's home changes.
//
// Test scaffolding, not code under test (its skip path runs only where Python lacks a module), so it is
// left out of the coverage figures, as run.ts is.
/* c8 ignore start */
import type { Test } from "tap"
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { exampleEnv, root, start } from "./run.js"

/** Debian's python3: the one that sees python3-jupyter-client, -jsonschema and -pytest. */
export const PYTHON = "/usr/bin/python3"
export const KERNEL_NAME = "zmq-eventloop-js"

/** Why the test must be skipped ("" when `modules` all import), printed so a skip is never silent. */
export function missingPython(modules: string[]): string {
  const probe = spawnSync(PYTHON, ["-c", `import ${modules.join(", ")}`], { encoding: "utf8" })
  if (probe.status === 0) return ""
  const reason = `${PYTHON} cannot import ${modules.join(", ")} (apt-get install python3-jupyter-client python3-jsonschema python3-pytest)`
  console.log(`# skipping: ${reason}`)
  return reason
}

/**
 * A temporary Jupyter directory with the kernel installed by install.mjs --prefix under `names` (each
 * `[name, interrupt mode]`), and the environment that points Jupyter at it.
 */
export async function installedKernels(t: Test, names: [string, "signal" | "message"][]) {
  const dir = mkdtempSync(join(tmpdir(), "js-kernel-test-"))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  for (const [name, mode] of names) {
    const args = ["--prefix", dir, "--name", name, "--interrupt-mode", mode]
    const install = start(t, ["examples/jupyter-kernel/install.mjs", ...args])
    t.equal(await install.exit(), 0, `install.mjs ${args.join(" ")}`)
  }
  const env = {
    ...exampleEnv,
    JUPYTER_PATH: join(dir, "share/jupyter"),
    JUPYTER_DATA_DIR: join(dir, "data"),
    JUPYTER_RUNTIME_DIR: join(dir, "runtime"),
    JUPYTER_CONFIG_DIR: join(dir, "config"),
  }
  return { dir, env }
}

const driver = join(root, "examples/test/fixtures/jupyter_kernel_checks.py")

/** Runs examples/test/fixtures/jupyter_kernel_checks.py on kernelspec `name` and returns its JSON summary. */
export function drive(env: NodeJS.ProcessEnv, dir: string, name: string, sections: string) {
  const kernelLog = join(dir, `${name}.log`)
  const run = spawnSync(PYTHON, [driver, name, kernelLog, sections], {
    env,
    encoding: "utf8",
    timeout: 120_000,
  })
  if (run.status !== 0) {
    const stderr = existsSync(kernelLog) ? readFileSync(kernelLog, "utf8") : "(none)"
    throw new Error(`the driver failed (${run.status}): ${run.stderr}\nthe kernel's stderr: ${stderr}`)
  }
  return JSON.parse(run.stdout)
}
/* c8 ignore stop */
