// Debian's /usr/bin/python3 with python3-zmq, for the tests against pyzmq (zmq.auth, CURVE and PLAIN
// clients): whether it can run here, and a way to run a script.
import { PYTHON, pythonSkipReason, runPython } from "../../../zmqstream/test/helpers/python.js"

export { PYTHON, runPython }

/** Why the pyzmq tests cannot run here, or undefined when they can. */
export const pyzmqSkipReason: string | undefined = (() => {
  if (pythonSkipReason !== undefined) return pythonSkipReason
  try {
    runPython("import zmq.auth")
    return undefined
  } catch (error) {
    return `zmq.auth is not importable by ${PYTHON}: ${String(error).trim().split("\n").at(-1)}`
  }
})()
