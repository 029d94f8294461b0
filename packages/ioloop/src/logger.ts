import { debuglog, formatWithOptions } from "node:util"
import { describeValue, isThenable } from "./validate.js"

/**
 * Where the loop writes its messages: `console` fits, and so does any logger with these four methods
 * ({@link defaultLogger} when none is given). Two calling conventions are understood, chosen once when the
 * loop is made (`IOLoopOptions.loggerStyle`):
 * console-style `(message, ...args)` (console, winston, log4js) and object-first `(object, message)`
 * (pino, bunyan). Errors from user callbacks go to `error`, blocking warnings to `warn`.
 */
export interface Logger {
  error(...args: unknown[]): void
  warn(...args: unknown[]): void
  info(...args: unknown[]): void
  debug(...args: unknown[]): void
}

/** How a logger takes an error: console-style `(message, error)` or object-first `({ err }, message)`. */
export type LoggerStyle = "console" | "object-first"

const LEVELS = ["error", "warn", "info", "debug"] as const

/** Traces for developers, printed when `NODE_DEBUG=zmq-eventloop` is set. */
export const debug = debuglog("zmq-eventloop")

/**
 * The logger of a loop given none: errors and warnings to `console.error` and `console.warn` (stderr), info
 * and debug lines only with `NODE_DEBUG=zmq-eventloop`, as Python's logging shows pyzmq's and tornado's
 * loggers by default (warnings and errors, on stderr). `console` itself would print every debug line on
 * stdout (an authenticator's decision for each connection, say). `console` is read at each call, so a test
 * runner's replacement of it is used.
 */
export const defaultLogger: Logger = Object.freeze({
  error: (...args: unknown[]) => console.error(...args),
  warn: (...args: unknown[]) => console.warn(...args),
  info: traceLine,
  debug: traceLine,
})

function traceLine(...args: unknown[]): void {
  if (debug.enabled) debug("%s", formatWithOptions({}, ...args))
}

/** The name a log line uses for a user callback; never throws (a `name` getter may, a revoked Proxy does). */
export function describeCallback(callback: Function): string {
  let name: unknown
  try {
    name = callback.name
  } catch {
    name = undefined
  }
  return typeof name === "string" && name !== "" ? `${name}()` : "<anonymous function>"
}

/**
 * Who registered a callback, when it is not the loop's own API: `"ZMQStream"` for a stream's callbacks,
 * whose errors are logged in pyzmq's words.
 */
export type CallbackSource = "ZMQStream"

/**
 * The line logged for an error of user code: tornado's `Exception in callback <name>`, or pyzmq's
 * `Uncaught exception in ZMQStream callback <name>` for a stream's callback (pyzmq `ZMQStream._run_callback`).
 */
export function failureMessage(callback: Function, source?: CallbackSource): string {
  const name = describeCallback(callback)
  return source === undefined
    ? `Exception in callback ${name}`
    : `Uncaught exception in ${source} callback ${name}`
}

/**
 * Throws `TypeError("<name> must be a logger …")` unless `value` has the four methods of {@link Logger}.
 * Checked when the loop is made, so a broken logger fails there rather than on the first error it must log.
 */
export function checkLogger(name: string, value: unknown): asserts value is Logger {
  const missing =
    typeof value === "object" || typeof value === "function"
      ? value === null
        ? LEVELS
        : LEVELS.filter((level) => typeof (value as Record<string, unknown>)[level] !== "function")
      : LEVELS
  if (missing.length > 0) {
    throw new TypeError(
      `${name} must be a logger with error, warn, info and debug methods (missing ${missing.join(", ")}), got ${describeValue(value)}`,
    )
  }
}

/**
 * pino and bunyan take `(mergingObject, message)` and keep an Error only under the key `err`; they show
 * themselves by a numeric `level`-to-name table (pino `levels.values`, bunyan `levels()`/`streams`).
 */
function detectStyle(logger: Logger): LoggerStyle {
  const candidate = logger as unknown as Record<string, unknown>
  const levels = candidate.levels as Record<string, unknown> | undefined
  const isPino = typeof levels === "object" && levels !== null && typeof levels.values === "object"
  const isBunyan = Array.isArray(candidate.streams) && typeof candidate.levels === "function"
  return isPino || isBunyan ? "object-first" : "console"
}

/** The last resort when the logger itself fails: never let logging throw out of the loop. */
function lastResort(message: string, error: unknown, failure: unknown): void {
  consoleLine(message, error)
  consoleLine("zmq-eventloop: the logger failed while logging the line above:", failure)
}

/** `console.error(text, value)`, or the text alone when printing the value throws (a getter that throws). */
function consoleLine(text: string, value: unknown): void {
  try {
    if (value === undefined) console.error(text)
    else console.error(text, value)
    return
  } catch {
    // Printing the value threw; the text at least.
  }
  try {
    console.error(text, "(a value that cannot be printed)")
  } catch {
    // console itself is broken: there is nowhere left to write.
  }
}

/**
 * The loop's side of a {@link Logger}, and the only way this project calls one: it calls the logger in the
 * convention it understands (so an Error reaches pino or bunyan with its stack, under `err`), and it never
 * throws. A logger that throws, or returns a promise that rejects (an async logger), has the line written
 * with `console.error` instead, so neither a throw nor an unhandled rejection ever leaves the loop.
 */
export class LogSink {
  readonly style: LoggerStyle

  constructor(
    readonly logger: Logger,
    style?: LoggerStyle,
  ) {
    this.style = style ?? detectStyle(logger)
  }

  /**
   * Logs `message` at error level, with `error` when given (its stack kept by either kind of logger), a
   * thrown `undefined` too: given is told by the argument's presence, not its value.
   */
  error(message: string, ...given: [error?: unknown]): void {
    const error = given[0]
    this.write(message, error, () =>
      given.length === 0
        ? this.logger.error(message)
        : this.style === "object-first"
          ? this.logger.error({ err: error }, message)
          : this.logger.error(message, error),
    )
  }

  /** Logs a warning line. */
  warn(message: string): void {
    this.write(message, undefined, () => this.logger.warn(message))
  }

  /** Logs an info line. */
  info(message: string): void {
    this.write(message, undefined, () => this.logger.info(message))
  }

  /** Logs a debug line. */
  debug(message: string): void {
    this.write(message, undefined, () => this.logger.debug(message))
  }

  private write(message: string, error: unknown, call: () => unknown): void {
    try {
      const result = call()
      if (isThenable(result)) result.then(undefined, (failure) => lastResort(message, error, failure))
    } catch (failure) {
      lastResort(message, error, failure) // the call threw, or the then() of what it returned did
    }
  }
}
