// examples/jupyter-kernel against jupyter_kernel_test 0.7.0, the Jupyter project's kernel test suite
// (vendored in examples/jupyter-kernel/conformance), run with Debian's python3 and pytest: every test
// of the suite must pass, none skipped.
import t from "tap"
import { spawnSync } from "node:child_process"
import { join } from "node:path"
import { root } from "./helpers/run.js"
import { installedKernels, KERNEL_NAME, missingPython, PYTHON } from "./helpers/jupyter-kernel.js"

const skip = missingPython(["jupyter_client", "jsonschema", "pytest"]) || false

t.test("jupyter_kernel_test 0.7.0 passes in full", { skip }, async (t) => {
  const { env } = await installedKernels(t, [[KERNEL_NAME, "signal"]])
  const run = spawnSync(
    PYTHON,
    ["-m", "pytest", "-p", "no:cacheprovider", "-rA", "test_javascript_kernel.py"],
    {
      cwd: join(root, "examples/jupyter-kernel/conformance"),
      env: { ...env, KERNEL_NAME },
      encoding: "utf8",
      timeout: 240_000,
    },
  )
  const summary = run.stdout.trim().split("\n").at(-1) ?? ""
  t.equal(run.status, 0, `pytest exits 0${run.status === 0 ? "" : `:\n${run.stdout}\n${run.stderr}`}`)
  // The suite's 12 KernelTests and its iopub_welcome test; a skip means a feature left untested.
  t.match(summary, /^=+ 13 passed in [\d.]+s =+$/, "13 passed, nothing skipped or failed")
  const passed = run.stdout.split("\n").filter((line) => line.startsWith("PASSED "))
  t.equal(passed.length, 13, "each test listed as PASSED")
})
