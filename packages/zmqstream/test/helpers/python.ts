// Runs Debian's /usr/bin/python3 (the interpreter that has, or will have, python3-zmq; the python3
// first on PATH is a different install) for the interop tests. Only the standard library is used.
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"

export const PYTHON = "/usr/bin/python3"

/** Why the Python tests cannot run here, or undefined when they can. */
export const pythonSkipReason: string | undefined = existsSync(PYTHON)
  ? undefined
  : `${PYTHON} is missing (Debian's python3 is needed for the interop tests)`

/** Run `script` with `input` on stdin; returns stdout, throws with stderr when Python fails. */
export function runPython(script: string, input: string | Buffer = ""): string {
  const env = { ...process.env, PYTHONIOENCODING: "utf-8" }
  const result = spawnSync(PYTHON, ["-c", script], { input, env, encoding: "utf8", timeout: 60_000 })
  if (result.error) throw result.error
  if (result.status !== 0) {
    throw new Error(`${PYTHON} exited with ${result.status ?? result.signal}: ${result.stderr}`)
  }
  return result.stdout
}

/** Why the pyzmq tests cannot run here (no python, or no zmq module for it), or undefined when they can. */
export function pyzmqSkipReason(): string | undefined {
  if (pythonSkipReason !== undefined) return pythonSkipReason
  const probe = spawnSync(PYTHON, ["-c", "import zmq"], { encoding: "utf8" })
  return probe.status === 0
    ? undefined
    : `pyzmq is not importable by ${PYTHON}: ${probe.stderr.trim().split("\n").at(-1)}`
}
