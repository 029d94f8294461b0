import { fstatSync } from "node:fs"
import type { HandlerTarget } from "@zmq-eventloop/ioloop"

/**
 * Whether `target` is the fd of a regular file or a directory, which poll(2), and so pyzmq's `zmq.Poller`,
 * reports ready at once, always (a `Poller` on stdin redirected from a file). So are devices without poll
 * support (/dev/null), which only epoll's refusal tells apart from those with it (a tty): a
 * {@link Poller} reports those when the fd poller refuses them, and on the interval poller, which watches
 * no plain fd, files and directories only. A bad fd is neither: the loop's own refusal then says why.
 */
export function isAlwaysReadyFile(target: HandlerTarget): target is number {
  if (typeof target !== "number") return false
  try {
    const stats = fstatSync(target)
    return stats.isFile() || stats.isDirectory()
  } catch {
    return false
  }
}

/**
 * Whether `target` is an fd number that no open file holds (`fstat` says `EBADF`): `zmq_poll`, and so pyzmq's
 * `zmq.Poller`, reports it `POLLERR` at once, every poll (poll(2)'s `POLLNVAL`), where epoll refuses it.
 */
export function isClosedFd(target: HandlerTarget): target is number {
  if (typeof target !== "number") return false
  try {
    fstatSync(target)
    return false
  } catch (error) {
    return (error as { code?: unknown }).code === "EBADF"
  }
}
