// A throwaway Jupyter installation for the frontend tests (notebook server, jupyter console, nbconvert):
// the kernel's tests' own (jupyter-kernel.ts: installed with install.mjs --prefix into a temporary
// directory, every JUPYTER_* variable pointing inside it), plus what a frontend needs to find the kernel,
// and the checks that say why a frontend test is skipped on this machine.
//
// Test scaffolding, not code under test (see run.ts).
/* c8 ignore start */
import type { Test } from "tap"
import { spawnSync } from "node:child_process"
import { join } from "node:path"
import { installedKernels, KERNEL_NAME, PYTHON } from "./jupyter-kernel.js"

export { PYTHON }

export interface JupyterInstall {
  /** The temporary directory holding everything; removed at the end of the test. */
  dir: string
  /** The name Jupyter knows the kernel by. */
  kernelName: string
  /** The kernel's `language` in its kernelspec, which a notebook's metadata repeats. */
  language: string
  /** The environment for any Jupyter program run against this installation. */
  env: NodeJS.ProcessEnv
}

/** Why `python3 -m <module>` cannot run here, or false when it can. */
export function missingPythonModule(module: string, debianPackage: string): string | false {
  const probe = spawnSync(PYTHON, ["-c", `import ${module}`], { encoding: "utf8" })
  return probe.status === 0 ? false : `${PYTHON} cannot import ${module} (apt-get install ${debianPackage})`
}

/** Installs the kernel (interrupt mode `signal`, the default) and returns the environment that finds it. */
export async function installKernel(t: Test): Promise<JupyterInstall> {
  const { dir, env } = await installedKernels(t, [[KERNEL_NAME, "signal"]])
  // IPython's directory too (jupyter console reads its config); BROWSER: the notebook server opens none.
  const frontendEnv = { ...env, IPYTHONDIR: join(dir, "ipython"), BROWSER: "true" }
  return { dir, kernelName: KERNEL_NAME, language: "javascript", env: frontendEnv }
}
/* c8 ignore stop */
