/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (the page.evaluate callbacks below run in the browser)
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
import {
  executionCount,
  interruptFromToolbar,
  openNotebook,
  readOutputs,
  startCell,
  waitCellDone,
} from "./helpers/jupyter-page.js"

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
  /** Click the toolbar's interrupt button once the kernel is busy with this cell. */
  interrupt?: boolean
}

/** Builds a PNG (RGB, one IDAT chunk) from scratch with zlib, and displays it. */
const PNG_CELL = `const { crc32, deflateSync } = require("node:zlib")
function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, "latin1"), data])
  const frame = Buffer.alloc(4 + body.length + 4)
  frame.writeUInt32BE(data.length, 0)
  body.copy(frame, 4)
  frame.writeUInt32BE(crc32(body), 4 + body.length)
  return frame
}
function png(width, height, rgb) {
  const header = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 8, 2, 0, 0, 0]) // 8 bits per channel, RGB
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  const rows = []
  for (let y = 0; y < height; y++) {
    const row = [0] // filter: none
    for (let x = 0; x < width; x++) row.push(...rgb(x, y))
    rows.push(Buffer.from(row))
  }
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10])
  const image = deflateSync(Buffer.concat(rows))
  return Buffer.concat([signature, chunk("IHDR", header), chunk("IDAT", image), chunk("IEND", Buffer.alloc(0))])
}
const picture = display.png(png(120, 60, (x, y) => [x * 2, y * 4, 160]))`

t.test(
  "a notebook in headless Chromium runs the kernel's cells and shows every output",
  { skip, saveFixture: true },
  async (t) => {
    const install = await installKernel(t)
    const server = await startNotebookServer(t, install)

    const steps: Step[] = [
      {
        what: "a value: the execute_result, util.inspect's text",
        code: "let visits = 41\nclass Point {\n  constructor(x, y) {\n    this.x = x\n    this.y = y\n  }\n}\nvisits + 1",
        outputs: [{ kind: "text", result: true, text: "42" }],
      },
      {
        what: "console.log in a loop: one stdout stream",
        code: "for (let i = 1; i <= 3; i++) console.log(`line ${i}`)",
        outputs: [{ kind: "stdout", result: false, text: "line 1\nline 2\nline 3" }],
      },
      {
        what: "display of HTML: rendered as HTML",
        code: 'const banner = display.html(`<b class="from-kernel">bold from the kernel</b>`)',
        outputs: [{ kind: "html", text: "bold from the kernel", html: /<b class="from-kernel">/ }],
      },
      {
        what: "display of a PNG made in code: decoded by the browser at its size",
        code: PNG_CELL,
        outputs: [{ kind: "png", image: { width: 120, height: 60 } }],
      },
      {
        what: "an error: ename, evalue, and a traceback of the cell's frames only, pointing at its line",
        code: "const digits = 200\nvisits.toFixed(digits)",
        outputs: [
          {
            kind: "error",
            text: /^RangeError: toFixed\(\) digits argument must be between 0 and 100\n\s+at Number\.toFixed \(<anonymous>\)\n\s+at In\[5\]:2:8\n\nIn\[5\]:2\n {2}visits\.toFixed\(digits\)\n {9}\^\s*$/,
          },
        ],
      },
      {
        what: "while (true) {} interrupted from the toolbar: a KeyboardInterrupt, no kernel frames",
        code: "while (true) {}",
        interrupt: true,
        outputs: [{ kind: "error", text: /^KeyboardInterrupt: interrupted by the user\s*$/ }],
      },
      {
        what: "after the interrupt: the earlier cells' state is there",
        code: "visits += 1\nnew Point(visits, 0)",
        outputs: [{ kind: "text", result: true, text: "Point { x: 42, y: 0 }" }],
      },
    ]
    writeNotebook(
      install,
      "browser.ipynb",
      steps.map((step) => step.code),
    )

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
      await startCell(page, index)
      if (step.interrupt) await interruptFromToolbar(page, STEP_MS)
      await waitCellDone(page, index, STEP_MS)
      t.equal(await executionCount(page, index), index + 1, `cell ${index}: In [${index + 1}]`)
      const outputs = await readOutputs(page, index)
      t.equal(outputs.length, step.outputs.length, `cell ${index}: ${step.outputs.length} output(s)`)
      t.match(outputs, step.outputs, `cell ${index}: ${step.what}`)
    }

    // The notebook scrolls inside #site, not the document: grow the window to show every cell at once.
    const height = await page.evaluate(() => document.querySelector("#notebook")!.scrollHeight + 150)
    await page.setViewport({ width: 1100, height })
    const screenshot = join(t.testdir({}), "notebook.png")
    await page.screenshot({ path: screenshot, fullPage: true })
    t.comment(`screenshot: ${screenshot}`)
  },
)
