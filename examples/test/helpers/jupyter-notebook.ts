// Debian's classic Jupyter Notebook server (6.x), started for one test: bound to 127.0.0.1 on a port the
// system chose, token authentication, no browser, serving a temporary directory, and finding kernels only
// in the throwaway installation of jupyter-env.ts. Also writes the notebook files it serves.
//
// Test scaffolding, not code under test (see run.ts).
/* c8 ignore start */
import { randomBytes } from "node:crypto"
import { writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { join } from "node:path"
import type { JupyterInstall } from "./jupyter-env.js"
import { PYTHON } from "./jupyter-env.js"
import { startProgram } from "./run.js"

/** How long the server may take to listen: it imports a lot of Python on a busy machine. */
const STARTUP_MS = 60_000

export interface NotebookServer {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  origin: string
  /** The token every request must carry (`?token=`). */
  token: string
  /** Every line the server (and the kernels it starts, which inherit its stderr) printed so far. */
  lines: string[]
}

interface Teardown {
  teardown(fn: () => unknown): void
}

/** A TCP port nobody listens on right now (the server may still lose a race for it: it retries then). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address()
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()))
    })
  })
}

/** Starts the server over `install.dir/notebooks`; it is stopped, kernels included, when the test ends. */
export async function startNotebookServer(t: Teardown, install: JupyterInstall): Promise<NotebookServer> {
  const token = randomBytes(16).toString("hex")
  const args = [
    "-m",
    "notebook",
    "--no-browser",
    "--ip=127.0.0.1",
    `--port=${await freePort()}`,
    "--port-retries=20",
    `--NotebookApp.token=${token}`,
    `--notebook-dir=${install.dir}`,
    // CI containers run as root; the server refuses that unless told.
    ...(process.getuid?.() === 0 ? ["--allow-root"] : []),
  ]
  const server = startProgram(t, PYTHON, args, install.env)
  // "[I 02:21:58.592 NotebookApp] http://127.0.0.1:8888/?token=..." once it listens (the port it really got).
  const [, origin] = await server.waitFor(/(http:\/\/127\.0\.0\.1:\d+)\/\?token=/, STARTUP_MS)
  return { origin: origin!, token, lines: server.lines }
}

/** A notebook (nbformat 4) of code cells for the example kernel. */
export function notebookJson(install: JupyterInstall, cells: string[]): string {
  const notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: install.kernelName, display_name: install.kernelName, language: install.language },
      language_info: { name: install.language },
    },
    cells: cells.map((source, index) => ({
      cell_type: "code",
      id: `cell-${index}`,
      metadata: {},
      execution_count: null,
      outputs: [],
      source,
    })),
  }
  return `${JSON.stringify(notebook, null, 1)}\n`
}

/** Writes `name` (e.g. "browser.ipynb") into the served directory; returns its path. */
export function writeNotebook(install: JupyterInstall, name: string, cells: string[]): string {
  const path = join(install.dir, name)
  writeFileSync(path, notebookJson(install, cells))
  return path
}
/* c8 ignore stop */
