// A throwaway Jupyter installation for the frontend tests (notebook server, jupyter console, nbconvert):
// the example kernel's kernelspec installed with `install.mjs --prefix` into a temporary directory, and an
// environment whose JUPYTER_* variables all point inside it, so nothing in the user's home is read or
// changed. Also the checks that say why a frontend test is skipped on this machine.
//
// Test scaffolding, not code under test (see run.ts).
/* c8 ignore start */
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { exampleEnv, start } from "./run.js"

/** Debian's Jupyter packages are importable by this interpreter only (see .ci/run). */
export const PYTHON = "/usr/bin/python3"

export interface JupyterInstall {
  /** The temporary directory holding everything; removed at the end of the test. */
  dir: string
  /** The name Jupyter knows the example kernel by (the directory install.mjs created). */
  kernelName: string
  /** The kernel's `language` in its kernelspec, which a notebook's metadata repeats. */
  language: string
  /** The environment for any Jupyter program run against this installation. */
  env: NodeJS.ProcessEnv
}

interface Teardown {
  teardown(fn: () => unknown): void
}

/** Why `python3 -m <module>` cannot run here, or false when it can. */
export function missingPythonModule(module: string, debianPackage: string): string | false {
  const probe = spawnSync(PYTHON, ["-c", `import ${module}`], { encoding: "utf8" })
  return probe.status === 0 ? false : `${PYTHON} cannot import ${module} (apt-get install ${debianPackage})`
}

/**
 * Installs the kernelspec into a fresh temporary prefix and returns the environment that finds it.
 * `installArgs` go to install.mjs after `--prefix DIR` (e.g. `--interrupt-mode message`).
 */
export async function installKernel(t: Teardown, installArgs: string[] = []): Promise<JupyterInstall> {
  const dir = mkdtempSync(join(tmpdir(), "zmq-eventloop-jupyter-"))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const install = start(t, ["examples/jupyter-kernel/install.mjs", "--prefix", dir, ...installArgs])
  const code = await install.exit(60_000)
  if (code !== 0) throw new Error(`install.mjs --prefix exited ${code}: ${install.lines.join("\n")}`)
  const kernels = join(dir, "share/jupyter/kernels")
  const [kernelName] = readdirSync(kernels)
  if (kernelName === undefined || !existsSync(join(kernels, kernelName, "kernel.json"))) {
    throw new Error(`install.mjs --prefix wrote no kernelspec under ${kernels}`)
  }
  const spec = JSON.parse(readFileSync(join(kernels, kernelName, "kernel.json"), "utf8")) as {
    language: string
  }
  const env = {
    ...exampleEnv,
    JUPYTER_PATH: join(dir, "share/jupyter"),
    JUPYTER_DATA_DIR: join(dir, "data"),
    JUPYTER_RUNTIME_DIR: join(dir, "runtime"),
    JUPYTER_CONFIG_DIR: join(dir, "config"),
    IPYTHONDIR: join(dir, "ipython"),
    // The notebook server and nbconvert look for a browser or a display otherwise.
    BROWSER: "true",
  }
  return { dir, kernelName, language: spec.language, env }
}
/* c8 ignore stop */
