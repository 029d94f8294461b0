// examples/jupyter-kernel in a real browser: Debian's Jupyter Notebook server starts the kernel from its
// kernelspec, a headless Chromium (driven by puppeteer-core) opens a notebook and runs its cells the way a
// user does, and the test reads what the page shows. A screenshot of the page is kept in the test's fixture
// directory (.tap/fixtures/...), whose path the test prints.
import t from "tap"
import { existsSync } from "node:fs"
import { join } from "node:path"
import puppeteer from "puppeteer-core"
import { installKernel, missingPythonModule } from "./helpers/jupyter-env.js"
import { startNotebookServer, writeNotebook } from "./helpers/jupyter-notebook.js"
import type { RenderedOutput } from "./helpers/jupyter-page.js"
import { executionCount, openNotebook, readOutputs, runCell } from "./helpers/jupyter-page.js"

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium"
/** Deadline of each step in the page: the machine may be shared with other test runs. */
const STEP_MS = 60_000

const skip =
  (existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)`) ||
  missingPythonModule("notebook", "jupyter-notebook")
if (skip) console.log(`# skipping the browser test: ${skip}`)

/** One cell of the notebook and what the page must show once it has run. */
interface Step {
  what: string
  code: string
  /** t.match's pattern for the cell's rendered outputs, in page order. */
  outputs: { [field in keyof RenderedOutput]?: unknown }[]
}

t.test(
  "a notebook in headless Chromium runs the kernel's cells and shows every output",
  { skip, saveFixture: true },
  async (t) => {
    const install = await installKernel(t)
    const server = await startNotebookServer(t, install)

    const steps: Step[] = [
      {
        what: "a value: the execute_result",
        code: "1 + 2 * 3",
        outputs: [{ kind: "text", result: true, text: "7" }],
      },
      {
        what: "a line of text: stdout",
        code: "hello, browser",
        outputs: [{ kind: "stdout", text: "hello, browser" }],
      },
      {
        what: "an error: its traceback",
        code: "1 / 0",
        outputs: [{ kind: "error", text: /ZeroDivisionError/ }],
      },
    ]
    writeNotebook(install, "browser.ipynb", steps.map((step) => step.code))

    const browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      // Chromium's sandbox needs user namespaces, which CI containers (run as root) do not give.
      args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
    })
    t.teardown(() => browser.close())
    const page = await browser.newPage()
    await page.setViewport({ width: 1100, height: 1400 })
    await openNotebook(page, server, "browser.ipynb", STEP_MS)

    for (const [index, step] of steps.entries()) {
      await runCell(page, index, STEP_MS)
      t.equal(await executionCount(page, index), index + 1, `cell ${index}: In [${index + 1}]`)
      t.match(await readOutputs(page, index), step.outputs, `cell ${index}: ${step.what}`)
    }

    const screenshot = join(t.testdir({}), "notebook.png")
    await page.screenshot({ path: screenshot, fullPage: true })
    t.comment(`screenshot: ${screenshot}`)
  },
)
