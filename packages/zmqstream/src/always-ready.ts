import { fstatSync } from "node:fs"
import type { HandlerTarget } from "@zmq-eventloop/ioloop"

/**
 * Whether `target` is the fd of a regular file or a directory: poll(2), and so pyzmq's `zmq.Poller`,
 * reports such an fd ready at once, always (a `Poller` on stdin redirected from a file); epoll refuses to
 * watch it (EPERM), so a {@link Poller} reports it without asking the loop. A bad fd is not: the loop's
 * own refusal then says why.
 */
export function isAlwaysReady(target: HandlerTarget): target is number {
  if (typeof target !== "number") return false
  try {
    const stats = fstatSync(target)
    return stats.isFile() || stats.isDirectory()
  } catch {
    return false
  }
}
