/**
 * Whether the process can open more file descriptors now. The addon's load (dlopen opens the file) and
 * the data path's self-test (a zeromq.js context and five sockets) each need some, and each outcome is
 * kept for the process's life: a failure that came only from the process being at its fd limit at that
 * moment must not be kept, or one burst of connections would leave every later loop on the interval
 * poller and every later stream on zeromq.js's data path.
 * @module
 */
import { closeSync, openSync, readFileSync } from "node:fs"

/** Whether `error` says the process (or the system) has no fd left to give. */
export function atFdLimit(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
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

/**
 * The process's fd limit (the soft `RLIMIT_NOFILE`, which Node raises to the hard one at start), read once
 * from `/proc/self/limits` (again after a read that failed for want of an fd); `undefined` where there is
 * no such file (not Linux) or it says "unlimited".
 */
let fdLimit: number | undefined | null = null

function processFdLimit(): number | undefined {
  if (fdLimit === null) {
    try {
      const line = /^Max open files\s+(\d+)/m.exec(readFileSync("/proc/self/limits", "utf8"))
      fdLimit = line === null ? undefined : Number(line[1])
    } catch (error) {
      if (atFdLimit(error)) return undefined // asked again next time: the file is there, the fds are not
      fdLimit = undefined
    }
  }
  return fdLimit
}

/**
 * Whether a new fd numbered `fd` leaves the program its reserve of free fds: 1/256 of the limit, at least
 * 64 (a tcp connection, a file, a few sockets; more would move sockets of a program that plain zeromq.js
 * just fits, as `pnpm bench`'s 5000 pairs under a 20,000 limit, onto the interval poller). The loop's
 * copy of a socket's `ZMQ_FD` doubles the fds a socket costs; without a reserve those copies would take
 * the last fds, and the program's next `new zmq.Router()` would fail where plain zeromq.js still has
 * room. A new fd takes the lowest free number, so every fd below `fd` is open and at most
 * `limit - fd - 1` are free.
 */
export function leavesFdReserve(fd: number): boolean {
  const limit = processFdLimit()
  if (limit === undefined) return true
  return limit - fd - 1 >= Math.max(64, Math.floor(limit / 256))
}
