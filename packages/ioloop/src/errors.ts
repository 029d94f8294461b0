/** Thrown (as a rejection) by `IOLoop.runSync` when its `timeout` passes before the function settles. */
export class TimeoutError extends Error {
  constructor(message: string) {
    super(message)
    this.name = "TimeoutError"
  }
}

/**
 * What the fd poller throws for a plain fd that epoll refuses (EPERM): a regular file, a directory, or a
 * device with no poll support, such as /dev/null. poll(2) reports such an fd ready at once, always, which
 * is what a `Poller` then reports. A `TypeError` (its name too): the fd is the wrong kind of argument.
 * @internal
 */
export class UnwatchableFdError extends TypeError {}

/**
 * The `code` of a thrown value (`"EAGAIN"` from zeromq.js, `"EBADF"` from `fs`…), or `undefined` for a value
 * that has none, `null` and `undefined` included.
 * @internal
 */
export function errorCode(error: unknown): unknown {
  return typeof error === "object" && error !== null && "code" in error ? error.code : undefined
}
