// examples/jupyter-kernel under `jupyter nbconvert --execute` (Debian's python3-nbconvert, run as
// `python3 -m nbconvert`: the `jupyter-nbconvert` command is a separate Debian package): the fixture
// notebook every-output.ipynb makes one kind of output per cell, and the executed copy must hold each.
import t from "tap"
import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { installKernel, missingPythonModule, PYTHON } from "./helpers/jupyter-env.js"
import { root } from "./helpers/run.js"

const FIXTURE = join(root, "examples/test/fixtures/every-output.ipynb")

const skip = missingPythonModule("nbconvert", "python3-nbconvert")
if (skip) console.log(`# skipping the nbconvert test: ${skip}`)

interface Output {
  output_type: string
  name?: string
  text?: string | string[]
  data?: Record<string, unknown>
  execution_count?: number
  ename?: string
  evalue?: string
  traceback?: string[]
}
interface Cell {
  cell_type: string
  execution_count?: number | null
  outputs?: Output[]
}

/** nbformat stores multi-line strings as arrays of lines: join them, so expectations read as text. */
function joined(outputs: Output[]): Output[] {
  const text = (value: unknown) => (Array.isArray(value) ? value.join("") : value)
  return outputs.map((output) => ({
    ...output,
    ...(output.text === undefined ? {} : { text: text(output.text) as string }),
    ...(output.data === undefined
      ? {}
      : { data: Object.fromEntries(Object.entries(output.data).map(([mime, data]) => [mime, text(data)])) }),
  }))
}

t.test("nbconvert --execute runs a notebook of every output type through the kernel", { skip }, async (t) => {
  const install = await installKernel(t)
  const run = spawnSync(
    PYTHON,
    [
      "-m",
      "nbconvert",
      "--to=notebook",
      "--execute",
      "--allow-errors", // the last cell's error is one of the output types
      `--ExecutePreprocessor.kernel_name=${install.kernelName}`,
      "--ExecutePreprocessor.timeout=60",
      `--output-dir=${install.dir}`,
      "--output=executed.ipynb",
      FIXTURE,
    ],
    { cwd: install.dir, env: install.env, encoding: "utf8", timeout: 100_000 },
  )
  t.equal(run.status, 0, `nbconvert succeeded${run.status === 0 ? "" : `: ${run.stderr}`}`)
  const executed = JSON.parse(readFileSync(join(install.dir, "executed.ipynb"), "utf8")) as { cells: Cell[] }
  const code = executed.cells.filter((cell) => cell.cell_type === "code")
  t.same(
    code.map((cell) => cell.execution_count),
    code.map((_, index) => index + 1),
    "each code cell ran once, in order",
  )
  const outputs = code.map((cell) => joined(cell.outputs ?? []))
  const plain = (text: string) => ({ "text/plain": text })

  t.same(
    outputs[0],
    [{ output_type: "execute_result", execution_count: 1, metadata: {}, data: plain("42") }],
    "the last expression is the execute_result",
  )
  t.same(
    outputs[1],
    [
      { output_type: "stream", name: "stdout", text: "to stdout\n" },
      { output_type: "stream", name: "stderr", text: "to stderr\n" },
    ],
    "console.log on stdout, console.error on stderr",
  )
  t.same(
    outputs[2]!.map((output) => [output.output_type, Object.keys(output.data ?? {}).sort()]),
    [
      ["display_data", ["text/html", "text/plain"]],
      ["display_data", ["text/markdown", "text/plain"]],
      ["display_data", ["image/svg+xml", "text/plain"]],
      ["display_data", ["image/png", "text/plain"]],
      ["display_data", ["application/json", "text/plain"]],
      ["display_data", ["text/latex", "text/plain"]],
      ["display_data", ["application/vnd.example+json", "text/plain"]],
    ],
    "one display_data per display helper, each with its MIME type",
  )
  t.match(
    outputs[2],
    [
      { data: { "text/html": "<b>bold</b>" } },
      { data: { "text/markdown": "*emphasis*" } },
      { data: { "image/svg+xml": /^<svg / } },
      { data: { "image/png": /^iVBORw0KGgo/ } },
      { data: { "application/json": { answer: 42 } } },
      { data: { "text/latex": "$x^2$" } },
      { data: { "text/plain": "plain", "application/vnd.example+json": { ok: true } } },
    ],
    "and the data it was given (PNG as base64, JSON as an object)",
  )
  t.match(
    outputs[3],
    [{ output_type: "display_data", data: { "text/markdown": "count: 1" } }],
    "update_display_data replaced the output in place: one output, the new value",
  )
  t.equal(outputs[3]!.length, 1)
  t.same(
    outputs[4],
    [{ output_type: "stream", name: "stdout", text: "kept\n" }],
    "clear_output(wait) cleared the first line when the second came",
  )
  t.same(
    outputs[5],
    [
      {
        output_type: "execute_result",
        execution_count: 6,
        metadata: {},
        data: { "text/plain": "Money { cents: 1234 }", "text/html": "<b>$12.34</b>" },
      },
    ],
    "an object's _repr_html_ adds text/html to its execute_result",
  )
  t.same(
    outputs[6],
    [{ output_type: "execute_result", execution_count: 7, metadata: {}, data: plain("'awaited'") }],
    "top-level await: the awaited value is the result",
  )
  t.match(
    outputs[7],
    [
      {
        output_type: "error",
        ename: "SyntaxError",
        evalue: /JSON/,
        traceback: [/^SyntaxError: /],
      },
    ],
    "an error output with ename, evalue and traceback",
  )
  t.equal(outputs[7]!.length, 1)
})
