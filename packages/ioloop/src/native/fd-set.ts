/**
 * The native fd set (`native/fd_set.c`): its shape, declared here, and the one place that loads it. An
 * epoll set of the loop's own, watched by one {@link FdWatcher} and readable while any member is ready,
 * so the fd poller holds one fd per loop however many sockets and fds it watches. A member is the
 * caller's fd itself: epoll keeps each set's registrations apart, so a zeromq.js socket's `ZMQ_FD`,
 * which zeromq.js polls on Node's own epoll set, can be one.
 * @module
 */
import { loadAddon } from "./loader.js"

/**
 * A member's result bit for an error or a hang-up (`POLLERR`, `POLLHUP`; for {@link FdSet.check}, a closed
 * fd's `POLLNVAL`): `zmq_poll`'s `ZMQ_POLLERR` for a plain fd. (libuv's `UV_DISCONNECT` has the same value.)
 */
export const FD_ERROR = 4

/**
 * Functions on a set's fd. Every failed system call throws an `Error` with `code` (`"EPERM"` for a file
 * that epoll cannot watch, such as a regular file or `/dev/null`), `errno` (negative) and `syscall`, like
 * Node's own I/O errors; a bad argument throws a `TypeError` naming it.
 */
export interface FdSet {
  /** A new, empty set: its fd (close-on-exec), which the caller closes with {@link close}. */
  create(): number
  /**
   * Close a set's fd. (Not `fs.closeSync`, which in a worker thread warns of closing an fd that `fs` did
   * not open.)
   */
  close(set: number): void
  /**
   * Watch `fd` for `events` (`UV_READABLE | UV_WRITABLE`), level-triggered as libuv's `uv_poll`:
   * {@link wait} reports it for as long as it stays ready. `token` is what {@link wait} reports it as.
   */
  add(set: number, fd: number, events: number, token: number): void
  /** Change what a member is watched for, and its token. */
  modify(set: number, fd: number, events: number, token: number): void
  /** Stop watching `fd`; a no-op when it is no member (a closed fd has left every set already). */
  remove(set: number, fd: number): void
  /**
   * The members ready now, without waiting: returns how many, and writes each as a pair
   * `(token, result)` into `ready`, where `result` is what `zmq_poll` reports for that fd: the ready
   * `UV_READABLE | UV_WRITABLE` bits of interest, with {@link FD_ERROR} beside them for an error or a
   * hang-up (a pipe's write end whose reader is gone: writable and in error; a read end whose writer is
   * gone: in error, and readable while data is left). At most `ready.length / 2` (and 1024) a call; the
   * rest stay ready.
   */
  wait(set: number, ready: Int32Array): number
  /**
   * Ask one fd now, with a zero-timeout `poll(2)`, for a caller that cannot wait for libuv's next poll
   * phase (it comes after Node's timers phase): what {@link wait} would report for it as a member
   * watched for `events` ({@link FD_ERROR} for a closed fd too), or a negative libuv error code when
   * `poll(2)` itself fails.
   */
  check(fd: number, events: number): number
}

/**
 * The addon's `fdSet`, or the `Error` saying in one line why the fd poller cannot have it (no build of the
 * addon loads, see `loadAddon`, or the platform has no epoll), so the caller can fall back to the interval
 * poller. Loads once, as `loadAddon` does.
 */
export function loadFdSet(): FdSet | Error {
  const addon = loadAddon()
  if (addon instanceof Error) return addon
  const fdSet = addon.exports.fdSet as FdSet | undefined
  return fdSet ?? new Error(`the fd poller needs epoll, which ${process.platform} does not have`)
}
