import { fstatSync } from "node:fs"
import type { HandlerTarget } from "@zmq-eventloop/ioloop"
import { errorCode } from "@zmq-eventloop/ioloop/internal"

/** How poll(2), and so pyzmq's `zmq.Poller`, reports a plain fd at once, on every poll, without waiting. */
export type ReportedAtOnce = "ready" | "closed"

/**
 * Whether `target` is a plain fd that poll(2) reports at once, every poll, whatever happens: `"ready"` for
 * a regular file or a directory (a `Poller` on stdin redirected from a file), for the flags asked; `"closed"`
 * for a number no open file holds (`POLLNVAL`, pyzmq's `POLLERR`), which epoll refuses. So are devices
 * without poll support (/dev/null), which only epoll's refusal tells apart from those with it (a tty): a
 * {@link Poller} reports those when the fd poller refuses them, and on the interval poller, which watches
 * no plain fd, files, directories and closed fds only. `undefined` for anything else: the loop watches it,
 * or its own refusal says why.
 */
export function reportedAtOnce(target: HandlerTarget): ReportedAtOnce | undefined {
  if (typeof target !== "number") return undefined
  try {
    const stats = fstatSync(target)
    return stats.isFile() || stats.isDirectory() ? "ready" : undefined
  } catch (error) {
    return errorCode(error) === "EBADF" ? "closed" : undefined
  }
}
