// Debian's /usr/bin/python3 with python3-zmq, for the tests against pyzmq (zmq.auth, CURVE and PLAIN
// clients): whether it can run here, and a way to run a script.
import { spawnSync } from "node:child_process"
import { PYTHON, pythonSkipReason, runPython } from "../../../zmqstream/test/helpers/python.js"

export { PYTHON, runPython }

function findPyzmqSkipReason(): string | undefined {
  if (pythonSkipReason !== undefined) return pythonSkipReason
  const probe = spawnSync(PYTHON, ["-c", "import zmq.auth"], { encoding: "utf8" })
  return probe.status === 0
    ? undefined
    : `pyzmq is not importable by ${PYTHON}: ${probe.stderr.trim().split("\n").at(-1)}`
}

/** Why the pyzmq tests cannot run here, or undefined when they can. */
export const pyzmqSkipReason = findPyzmqSkipReason()
