// examples/jupyter-kernel under `jupyter console` (Debian's jupyter-console) in a real terminal (tmux): the
// prompt_toolkit interface a user gets, with multi-line input that asks the kernel's is_complete, and
// Ctrl-D to leave. Not Ctrl-C: jupyter_console 6.4 to 6.6 stops forwarding it to the kernel once the first
// prompt has run, whatever the kernel ("KeyboardInterrupt escaped interact()", jupyter/jupyter_console#296);
// the browser test interrupts from the notebook's toolbar instead.
import t from "tap"
import { installKernel, missingPythonModule, PYTHON } from "./helpers/jupyter-env.js"
import { Terminal, missingTmux } from "./helpers/jupyter-terminal.js"

/** Deadline of each step: the console and the kernel start slowly on a shared machine. */
const STEP_MS = 60_000

const skip = missingTmux() || missingPythonModule("jupyter_console", "jupyter-console")
if (skip) console.log(`# skipping the jupyter console test: ${skip}`)

/**
 * What cell `count` printed: the lines between its input (`In [count]:` and any `...:` continuation lines)
 * and the next prompt, once that prompt shows (the cell has finished).
 */
async function transcriptOf(terminal: Terminal, count: number): Promise<string> {
  const input = String.raw`^In \[${count}\]: .*\n(?:\s+\.\.\.: .*\n)*`
  const output = String.raw`((?:.*\n)*?)In \[${count + 1}\]: `
  const [, text] = await terminal.waitFor(new RegExp(input + output, "m"), STEP_MS)
  return text!.trim()
}

/** Types `line` and presses Enter. */
function enter(terminal: Terminal, line: string): void {
  terminal.type(line)
  terminal.press("Enter")
}

t.test("jupyter console runs cells in a terminal, multi-line input included", { skip }, async (t) => {
  const install = await installKernel(t)
  const command = [PYTHON, "-m", "jupyter_console", `--kernel=${install.kernelName}`, "--no-confirm-exit"]
  const terminal = new Terminal(t, install.dir, command, install.env)
  await terminal.waitFor(/^In \[1\]: /m, STEP_MS)

  enter(terminal, "let n = 6 * 7")
  t.equal(await transcriptOf(terminal, 1), "", "a declaration: no output")

  enter(terminal, "n")
  t.equal(await transcriptOf(terminal, 2), "Out[2]: 42", "a value: Out[2]")

  // Enter on an incomplete cell adds a line (the console asks the kernel's is_complete), indented as the
  // kernel says; the closing brace completes the cell and Enter then runs it.
  enter(terminal, "function next(x) {")
  await terminal.waitFor(/^\s+\.\.\.: {3}$/m, STEP_MS)
  enter(terminal, "return x + 1")
  await terminal.waitFor(/\.\.\.: {3}return x \+ 1\n\s+\.\.\.: {3}$/m, STEP_MS)
  enter(terminal, "}")
  t.equal(await transcriptOf(terminal, 3), "", "a function declared over three lines, indented by the kernel")
  t.match(
    terminal.screen(),
    /^In \[3\]: function next\(x\) \{\n\s+\.\.\.: {3}return x \+ 1\n\s+\.\.\.: {3}\}$/m,
  )

  enter(terminal, "next(n)")
  t.equal(await transcriptOf(terminal, 4), "Out[4]: 43", "and called in the next cell")

  enter(terminal, 'console.log("from the console")')
  t.equal(await transcriptOf(terminal, 5), "from the console", "stdout")

  enter(terminal, "null.x")
  t.match(
    await transcriptOf(terminal, 6),
    /^TypeError: Cannot read properties of null \(reading 'x'\)/,
    "an error: its traceback",
  )

  enter(terminal, 'await new Promise((resolve) => setTimeout(resolve, 10, "awaited"))')
  t.equal(await transcriptOf(terminal, 7), "Out[7]: 'awaited'", "top-level await")

  enter(terminal, "n")
  t.equal(await transcriptOf(terminal, 8), "Out[8]: 42", "state kept across cells")

  terminal.press("C-d")
  await terminal.waitForExit(STEP_MS)
  t.pass("Ctrl-D: the console exited")
})
