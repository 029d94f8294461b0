// The command line of every example program: node:util parseArgs in strict mode, plus the conventions they
// share. `--help` (or -h) prints the usage and exits 0; an unknown flag, a flag without its value, a bad
// value or a wrong number of arguments prints what is wrong and the usage line, and exits 2.
import { parseArgs } from "node:util"

/** Prints `message` and the usage line on stderr and exits 2: for checks beyond what `parseCommandLine` does. */
export function exitWithUsage(message, usage) {
  console.error(`${message}\nusage: ${usage}`)
  process.exit(2)
}

/** Thrown by a value parser; its message names the flag and shows the value received. */
class UsageError extends Error {}

/**
 * Parses `process.argv` for one program and returns `{ values, positionals }`, or exits (see above).
 *
 * - `usage`: the usage line, without "usage: " (`node examples/echo/client.mjs <endpoint> [message ...]`).
 * - `options`: parseArgs options, each with a `help` line, for a string option the `arg` name in that line
 *   ("N"), and optionally `required: true` and `parse(text, flag)`, which turns the string into the value
 *   (or throws, via the parsers below); defaults go through `parse` too.
 * - `positionals`: `{ min, max, parse }`, how many positional arguments are allowed (default: none) and
 *   the parsers of the first ones, by position (`parse: [endpoint]`).
 */
export function parseCommandLine({
  usage,
  options = {},
  positionals: { min = 0, max = min, parse = [] } = {},
}) {
  const spec = { help: { type: "boolean", short: "h", help: "print this help and exit" }, ...options }
  const fail = (message) => exitWithUsage(message, usage)
  let parsed
  try {
    parsed = parseArgs({
      options: Object.fromEntries(
        Object.entries(spec).map(([flag, { type, short, default: value }]) => [
          flag,
          { type, ...(short && { short }), ...(value !== undefined && { default: value }) },
        ]),
      ),
      allowPositionals: max > 0,
      strict: true,
    })
  } catch (error) {
    return fail(error.message)
  }
  if (parsed.values.help) {
    console.log(`usage: ${usage}`)
    const lines = Object.entries(spec).map(([flag, { type, short, arg = "VALUE", default: value, help }]) => [
      `${short ? `-${short}, ` : ""}--${flag}${type === "string" ? ` ${arg}` : ""}`,
      `${help}${value === undefined ? "" : ` (default ${value})`}`,
    ])
    const width = Math.max(...lines.map(([name]) => name.length)) + 2
    for (const [name, help] of lines) console.log(`  ${name.padEnd(width)}${help}`)
    process.exit(0)
  }
  for (const [flag, { short, required }] of Object.entries(spec)) {
    if (required && parsed.values[flag] === undefined)
      fail(`${short ? `-${short}/` : ""}--${flag} is required`)
  }
  const count = parsed.positionals.length
  if (count < min || count > max) {
    const [allowed, last] =
      max === Infinity
        ? [`at least ${min}`, min]
        : [min === max ? min : min === 0 ? `at most ${max}` : `${min} to ${max}`, max]
    return fail(`expected ${allowed} argument${last === 1 ? "" : "s"}, got ${count}`)
  }
  try {
    const values = {}
    for (const [flag, option] of Object.entries(spec)) {
      const value = parsed.values[flag]
      values[flag] = option.parse && value !== undefined ? option.parse(value, `--${flag}`) : value
    }
    const positionals = parsed.positionals.map((text, i) =>
      parse[i] ? parse[i](text, `argument ${i + 1}`) : text,
    )
    return { values, positionals }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    return fail(error.message)
  }
}

/** A string option holding an integer >= `least` (and <= `most`), shown as `--flag ARG` in the help. */
export function integerOption(arg, defaultValue, help, least = 1, most = Number.MAX_SAFE_INTEGER) {
  return { type: "string", arg, default: String(defaultValue), parse: integerWithin(least, most), help }
}

/** A TCP port option, `--flag P`: 0 (a free one, the default) to 65535. */
export function portOption(help) {
  return integerOption("P", 0, help, 0, 65535)
}

/** The value parser of an integer from `least` to `most`. */
function integerWithin(least, most) {
  const range = most === Number.MAX_SAFE_INTEGER ? `>= ${least}` : `from ${least} to ${most}`
  return (text, flag) => {
    const value = Number(text)
    if (text.trim() === "" || !Number.isSafeInteger(value) || value < least || value > most) {
      throw new UsageError(`${flag} must be an integer ${range}, got ${JSON.stringify(text)}`)
    }
    return value
  }
}

/** A value parser: a zmq endpoint such as tcp://127.0.0.1:5555 (a transport, "://" and an address). */
export function endpoint(text, name) {
  if (!/^[a-z]+:\/\/./.test(text)) {
    throw new UsageError(
      `${name} must be a zmq endpoint like tcp://127.0.0.1:5555, got ${JSON.stringify(text)}`,
    )
  }
  return text
}

/** A value parser: an http:// or https:// URL. */
export function httpUrl(text, name) {
  if (!/^https?:\/\/./.test(text)) {
    throw new UsageError(`${name} must be an http:// URL, got ${JSON.stringify(text)}`)
  }
  return text
}

/** The `--timeout MS` option of a program with a finite job: its watchdog's deadline. */
export function timeoutOption(defaultMs) {
  return integerOption("MS", defaultMs, "give up after MS milliseconds, saying what is missing")
}
