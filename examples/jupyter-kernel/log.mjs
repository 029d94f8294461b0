// The kernel's log: lines written straight to file descriptor 2 (Jupyter shows them in the server's log),
// never on iopub. Straight to the descriptor because the main thread redirects process.stderr to iopub for
// user code, and because a worker's process.stderr only reaches the terminal when the main thread is free.
import { writeSync } from "node:fs"
import { formatWithOptions } from "node:util"
import { KERNEL_NAME } from "./kernel-info.mjs"

/** Writes `[kernel name, time] line` to the kernel's stderr. */
export function log(line) {
  writeSync(2, `[${KERNEL_NAME} ${new Date().toISOString()}] ${line}\n`)
}

const logArgs = (...args) => log(formatWithOptions({ breakLength: Infinity }, ...args))

/**
 * The kernel's IOLoop logger: the loop's own lines (a callback's error, say) go to the kernel's log too. On
 * the default console logger a worker's loop wrote them to process.stderr, which the main thread sends to
 * iopub: the user saw the kernel's errors as output of the last cell.
 */
export const loopLogger = { error: logArgs, warn: logArgs, info: logArgs, debug: () => {} }
