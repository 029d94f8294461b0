/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (the page.evaluate callbacks below run in the browser)
// Drives a notebook page of the classic Jupyter Notebook (6.x) in a real browser through puppeteer-core,
// the way a user does: click a cell, Shift+Enter, the toolbar's interrupt button. What the page shows is
// read back from its DOM, one record per output area.
//
// Test scaffolding, not code under test (see run.ts).
/* c8 ignore start */
import type { Page } from "puppeteer-core"
import type { NotebookServer } from "./jupyter-notebook.js"

/** One rendered output of a cell, as the page shows it. */
export interface RenderedOutput {
  /**
   * What the notebook rendered: "stdout", "stderr", "error", "html", "png", "svg", "markdown", "text" (the
   * renderer's CSS class, output_<kind>), and whether it was the cell's execute_result (`result`).
   */
  kind: string
  result: boolean
  /** The text a user sees (innerText), for every kind. */
  text: string
  /** For "html": the rendered element's innerHTML. */
  html?: string
  /** For "png" and "svg": the decoded image's size, 0 x 0 when the browser could not decode it. */
  image?: { width: number; height: number }
}

/** The renderer classes of the notebook's output_subarea, in the order they are looked for. */
const KINDS = ["stdout", "stderr", "error", "html", "png", "jpeg", "svg", "markdown", "latex", "text"]

/** Opens `name` from the server and resolves once its kernel is started, connected and idle. */
export async function openNotebook(page: Page, server: NotebookServer, name: string, ms: number) {
  await page.goto(`${server.origin}/notebooks/${name}?token=${server.token}`, { timeout: ms })
  await page.waitForFunction(
    () => {
      const kernel = window.Jupyter?.notebook?.kernel
      return (
        kernel?.is_connected() === true && document.querySelector("#kernel_indicator_icon.kernel_idle_icon")
      )
    },
    { timeout: ms },
  )
}

/** Selects cell `index` with a click on its prompt and runs it with Shift+Enter, as a user does. */
export async function startCell(page: Page, index: number): Promise<void> {
  const lastRequest = (i: number) => window.Jupyter.notebook.get_cell(i).last_msg_id
  const before = await page.evaluate(lastRequest, index)
  const prompt = await page.waitForSelector(
    `#notebook-container > .cell:nth-child(${index + 1}) .input_prompt`,
  )
  await prompt!.click()
  await page.keyboard.down("Shift")
  await page.keyboard.press("Enter")
  await page.keyboard.up("Shift")
  // The cell remembers its execute_request's id as it sends it: wait for the new one, so that a later wait
  // for "done" cannot see the state from before this run.
  await page.waitForFunction(
    (i: number, previous: string | null) => {
      const id = window.Jupyter.notebook.get_cell(i).last_msg_id
      return id !== null && id !== previous
    },
    { timeout: 10_000 },
    index,
    before,
  )
}

/**
 * Resolves once cell `index` is finished: its execute_reply (shell) and its `status: idle` (iopub) have
 * both arrived, as the page's kernel records them per request (Kernel._finish_shell and _finish_iopub in
 * notebook/static/services/kernels/kernel.js).
 */
export async function waitCellDone(page: Page, index: number, ms: number): Promise<void> {
  await page.waitForFunction(
    (i: number) => {
      const notebook = window.Jupyter.notebook
      const id = notebook.get_cell(i).last_msg_id
      const request = id === null ? undefined : notebook.kernel._msg_callbacks[id]
      return request?.shell_done === true && request.iopub_done
    },
    { timeout: ms, polling: 50 },
    index,
  )
}

/** Runs cell `index` and waits until it is finished. */
export async function runCell(page: Page, index: number, ms: number): Promise<void> {
  await startCell(page, index)
  await waitCellDone(page, index, ms)
}

/** Waits until the page shows the kernel busy, then clicks the toolbar's interrupt button. */
export async function interruptFromToolbar(page: Page, ms: number): Promise<void> {
  await page.waitForSelector("#kernel_indicator_icon.kernel_busy_icon", { timeout: ms })
  await page.click('button[data-jupyter-action="jupyter-notebook:interrupt-kernel"]')
}

/** The execution count the page shows for cell `index` (In [n]), or null if it never ran. */
export function executionCount(page: Page, index: number): Promise<number | null> {
  return page.evaluate((i: number) => {
    const count = window.Jupyter.notebook.get_cell(i).input_prompt_number
    return typeof count === "number" ? count : null
  }, index)
}

/** Every output area of cell `index`, in page order, once its images are decoded (or failed to). */
export function readOutputs(page: Page, index: number): Promise<RenderedOutput[]> {
  return page.evaluate(
    async (i: number, kinds: string[]) => {
      const cell = document.querySelectorAll("#notebook-container > .cell")[i]!
      const images = [...cell.querySelectorAll(".output_area img")] as HTMLImageElement[]
      await Promise.all(images.map((image) => image.decode().catch(() => undefined)))
      return [...cell.querySelectorAll(".output_area .output_subarea")].map((subarea) => {
        const classes = subarea.classList
        const kind = kinds.find((k) => classes.contains(`output_${k}`)) ?? "unknown"
        const output: RenderedOutput = {
          kind,
          result: classes.contains("output_result"),
          text: (subarea as HTMLElement).innerText,
        }
        if (kind === "html") output.html = subarea.innerHTML
        const image = subarea.querySelector("img, svg")
        if (image instanceof HTMLImageElement) {
          output.image = { width: image.naturalWidth, height: image.naturalHeight }
        } else if (image instanceof SVGSVGElement) {
          const box = image.getBoundingClientRect()
          output.image = { width: Math.round(box.width), height: Math.round(box.height) }
        }
        return output
      })
    },
    index,
    KINDS,
  )
}

// The notebook page's globals this driver reads (notebook/static/notebook/js/*.js), typed as far as used.
interface NotebookCell {
  input_prompt_number: number | "*" | null | undefined
  last_msg_id: string | null
}
declare global {
  interface Window {
    Jupyter: {
      notebook: {
        kernel: {
          is_connected(): boolean
          _msg_callbacks: Record<string, { shell_done: boolean; iopub_done: boolean } | undefined>
        }
        get_cell(index: number): NotebookCell
      }
    }
  }
}
/* c8 ignore stop */
