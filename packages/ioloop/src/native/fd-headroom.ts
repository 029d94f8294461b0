/**
 * Whether the process can open more file descriptors now. The addon's load (dlopen opens the file) and
 * the data path's self-test (a zeromq.js context and five sockets) each need some, and each outcome is
 * kept for the process's life: a failure that came only from the process being at its fd limit at that
 * moment must not be kept, or one burst of connections would leave every later loop on the interval
 * poller and every later stream on zeromq.js's data path.
 * @module
 */
import { closeSync, openSync } from "node:fs"
import { errorCode } from "../errors.js"

/** Whether `error` says the process (or the system) has no fd left to give. */
export function atFdLimit(error: unknown): boolean {
  const code = errorCode(error)
  return code === "EMFILE" || code === "ENFILE"
}

/**
 * Whether `count` more file descriptors can be opened now: `false` only when opening fails with EMFILE
 * or ENFILE (any other failure, /dev/null missing in a sandbox say, says nothing about the limit).
 */
export function haveSpareFds(count: number): boolean {
  const opened: number[] = []
  try {
    while (opened.length < count) opened.push(openSync("/dev/null", "r"))
    return true
  } catch (error) {
    return !atFdLimit(error)
  } finally {
    for (const fd of opened) closeSync(fd)
  }
}
