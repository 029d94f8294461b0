// Runs cells in the kernel's global scope (the main thread's: `require`d modules and cells share Array,
// Object, ... so instanceof works across them) and turns what they throw into Jupyter errors.
//
// Interrupts: SIGINT (sent by Jupyter in "signal" mode, by the channels worker in "message" mode) stops
// synchronous code through vm's breakOnSigint, and a cell waiting on a promise by rejecting the wait
// (sigint.mjs: how a signal never meets Node's default action). Either way the cell fails with a
// KeyboardInterrupt and the globals it had set stay set.
import vm from "node:vm"
import { createRequire, isBuiltin } from "node:module"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { cellScript } from "./cell-source.mjs"
import { takePendingSigint, watchSigint } from "./sigint.mjs"
import { tracebackOf } from "./traceback.mjs"

// How often a cell that waits on a promise looks for a SIGINT: the watchdog records one, it wakes no one.
const SIGINT_POLL_MS = 10

/** What an interrupted cell fails with (ename "KeyboardInterrupt", as in IPython). */
export class KeyboardInterrupt extends Error {
  name = "KeyboardInterrupt"
}

/** The `__kernel.import` of cell-source.mjs, for `import` declarations and `import()`: from the cwd. */
function importFromWorkingDirectory(specifier) {
  const require = createRequire(join(process.cwd(), "[cell]"))
  let target = specifier
  if (isBuiltin(specifier)) return import(specifier)
  try {
    target = pathToFileURL(require.resolve(specifier)).href
  } catch {
    // Node's builtins, file URLs, and packages that only export for import: import() resolves them.
  }
  return import(target)
}

export class Executor {
  constructor() {
    globalThis.require = createRequire(join(process.cwd(), "[cell]"))
    globalThis.__kernel = { import: importFromWorkingDirectory }
    watchSigint()
  }

  /**
   * Runs `code` as cell `name` (e.g. "In[3]"): `{ value }` (undefined when the last statement is not an
   * expression) or `{ error: { ename, evalue, traceback } }`. `starting()` is called once the cell's
   * code runs under vm's SIGINT watch (the cell's first statement calls it), or once it has failed to
   * compile: a frontend that sees what `starting` sends knows an interrupt from then on reaches the cell.
   */
  async run(code, name, starting = () => {}) {
    let announced = false
    const announce = () => {
      if (!announced) starting()
      announced = true
    }
    globalThis.__kernel.started = announce
    takePendingSigint() // one that came before this cell is not for it
    let interrupted
    const interruption = new Promise((resolve, reject) => (interrupted = reject))
    const sigintPoll = setInterval(() => {
      if (takePendingSigint()) interrupted(new KeyboardInterrupt("interrupted by the user"))
    }, SIGINT_POLL_MS)
    try {
      const { script, firstLineShift } = cellScript(code)
      const compiled = new vm.Script(script, {
        filename: name,
        columnOffset: -firstLineShift,
      })
      const completion = compiled.runInThisContext({ breakOnSigint: true, displayErrors: false })
      const value = await Promise.race([completion, interruption])
      return { value }
    } catch (thrown) {
      announce() // a cell that does not compile still shows its input, before its error
      const error =
        thrown?.code === "ERR_SCRIPT_EXECUTION_INTERRUPTED"
          ? new KeyboardInterrupt("interrupted by the user")
          : thrown
      return { error: tracebackOf(error, code, name) }
    } finally {
      clearInterval(sigintPoll)
    }
  }

  /** The value of the expression `code` (for user_expressions), or its error. */
  async evaluate(code, name) {
    return this.run(`(${code})`, name)
  }
}
