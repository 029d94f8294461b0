/**
 * The native fd watcher (`native/fd_watcher.c`): its shape, declared here, and the one place that
 * loads it. The addon watches one file descriptor with libuv's `uv_poll` on Node's own event loop
 * and calls one JavaScript function per wake-up; it knows nothing of zmq. Turning a wake-up into
 * handler calls (reading `ZMQ_EVENTS`, re-arming, re-checking) is the `fd` poller's job.
 *
 * The addon ships prebuilt and is loaded by `loader.ts`; when no build of it loads,
 * {@link loadFdWatcher} returns the reason and the loop falls back to the interval poller.
 * @module
 */
import { loadAddon } from "./loader.js"

/** `UV_READABLE`: the fd is readable (for a `ZMQ_FD`: the socket's state may have changed). */
export const UV_READABLE = 1
/** `UV_WRITABLE`: the fd is writable. Never needed for a `ZMQ_FD`, which only signals readable. */
export const UV_WRITABLE = 2

/**
 * Called once per wake-up of the watched fd, straight from libuv's poll phase, like any Node I/O
 * callback: `process.nextTick` callbacks and promise continuations queued inside run right after
 * it returns. An exception thrown here is an uncaught exception (process `'uncaughtException'`,
 * else the process exits), so callers must catch everything.
 *
 * `uv_poll` is level-triggered: while the fd stays readable the callback is called on every loop
 * iteration. For a `ZMQ_FD` the callback must therefore read `ZMQ_EVENTS` (`socket.readable`)
 * every time, which resets the fd, or the loop spins (measured: about 90,000 calls in 200 ms after
 * one message when the callback ignores `readable`; 1,000 messages in a burst cause 1 to 3
 * wake-ups when it reads `readable` and drains).
 *
 * @param status `0`, or a negative libuv error code when polling failed (libuv reports an `EPOLLERR`
 *   as `UV_EBADF`, `-9`); libuv has then stopped the watcher, `start()` would retry.
 * @param events The `UV_READABLE | UV_WRITABLE` bits that are ready (may be `0` on error).
 */
export type FdEventCallback = (status: number, events: number) => void

/**
 * One watched file descriptor. Every failed libuv call throws an `Error` with `code` (libuv's
 * name, e.g. `"EEXIST"`), `errno` (negative libuv code) and `syscall`, like Node's own I/O errors.
 */
export interface FdWatcher {
  /**
   * Start watching for `events` (`UV_READABLE`, `UV_WRITABLE` or both), or change the mask of a
   * started watcher. `start(0)` is `stop()`.
   * @throws RangeError for any other mask; `Error("FdWatcher is closed")` after `close()`.
   */
  start(events: number): void
  /** Stop watching; `start()` resumes. A no-op when stopped. @throws Error after `close()`. */
  stop(): void
  /**
   * Stop watching, close the duplicate fd if the watcher made one (never the caller's fd), and
   * release the callback. Idempotent. Afterwards every other member throws
   * `Error("FdWatcher is closed")`. A watcher that is garbage collected unclosed is closed then,
   * so keep a reference for as long as events are wanted.
   */
  close(): void
  /**
   * Let a started watcher keep the process alive (the default, like a Node socket). A stopped or
   * closed watcher never does. @throws Error after `close()`.
   */
  ref(): void
  /** Let the process exit even while the watcher is started. @throws Error after `close()`. */
  unref(): void
  /** The fd being watched: the duplicate when `duplicate` was true. @throws Error after `close()`. */
  readonly fd: number
}

/** The addon's `FdWatcher` class. */
export interface FdWatcherConstructor {
  /**
   * Create a stopped watcher on Node's event loop.
   *
   * @param fd The file descriptor to watch. It is made non-blocking (so is the original when
   *   duplicated: a duplicate shares its file status flags).
   * @param duplicate Watch a close-on-exec `dup()` of `fd` instead of `fd` itself; `close()`
   *   closes the duplicate. Always use it for an fd that something else polls on this loop, such
   *   as a zeromq.js socket's `ZMQ_FD`: libuv keeps one poll watcher per fd number (`EEXIST` if
   *   the other is polling at that moment, silently lost events if it starts later), and stopping
   *   a watcher removes the fd number from epoll for everyone. The duplicate also means the
   *   watcher never polls an fd number that its owner closed and the system reused.
   * @param onEvent Called once per wake-up; see {@link FdEventCallback}. Kept alive by the watcher,
   *   and while started also by the addon, as a Node handle keeps its callback: a stopped watcher that
   *   nothing else reaches is collected with its callback (and closed), even when the callback reaches it.
   * @throws TypeError for a bad argument (`fd must be a non-negative integer`, `duplicate must be
   *   a boolean`, `onEvent must be a function`); an `Error` with `code` when `dup` or
   *   `uv_poll_init` fails (`EBADF` for a closed fd, `EEXIST` for an fd this loop already polls).
   */
  new (fd: number, duplicate: boolean, onEvent: FdEventCallback): FdWatcher
}

/**
 * The addon's `FdWatcher` class, or the `Error` saying in one line why no build of the addon loads (see
 * `loadAddon`), so the caller can fall back to the interval poller. Loads once, as `loadAddon` does.
 */
export function loadFdWatcher(): FdWatcherConstructor | Error {
  const addon = loadAddon()
  return addon instanceof Error ? addon : (addon.exports.FdWatcher as FdWatcherConstructor)
}
