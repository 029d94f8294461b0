import { debuglog } from "node:util"

/**
 * Where the loop writes its messages: `console` fits, and so does any logger with these four methods
 * (pino, winston, …). Errors from user callbacks go to `error`, blocking warnings to `warn`.
 */
export interface Logger {
  error(...args: unknown[]): void
  warn(...args: unknown[]): void
  info(...args: unknown[]): void
  debug(...args: unknown[]): void
}

/** Traces for developers, printed when `NODE_DEBUG=zmq-eventloop` is set. */
export const debug = debuglog("zmq-eventloop")

/** The name a log line uses for a user callback. */
export function describeCallback(callback: Function): string {
  return callback.name ? `${callback.name}()` : "<anonymous function>"
}
