// Command-line parsing shared by the Lazy Pirate client and server: node:util's parseArgs in strict mode,
// integer options checked, and on any mistake the reason and the usage line on stderr, exit code 2.
import { parseArgs } from "node:util"

function refuse(reason, usage) {
  console.error(`${reason}\n${usage}`)
  process.exit(2)
}

/**
 * Parses `process.argv` against `options` (parseArgs's table, all strings; `--help` is added) and exactly
 * `positionals` positional arguments. Returns `{ values, args }`; prints the usage and exits on a mistake.
 */
export function parseCommandLine(usage, options, positionals = 0) {
  let parsed
  try {
    parsed = parseArgs({
      options: { help: { type: "boolean", short: "h" }, ...options },
      allowPositionals: positionals > 0,
      strict: true,
    })
  } catch (error) {
    refuse(error.message, usage)
  }
  if (parsed.values.help) {
    console.log(usage)
    process.exit(0)
  }
  if (parsed.positionals.length !== positionals) {
    refuse(`expected ${positionals} argument(s), got ${parsed.positionals.length}`, usage)
  }
  return { values: parsed.values, args: parsed.positionals }
}

/** The option `--name` as an integer of at least `min`; prints the usage and exits otherwise. */
export function integerOption(values, name, min, usage) {
  const value = Number(values[name])
  if (!Number.isInteger(value) || value < min) {
    refuse(`--${name} must be an integer >= ${min}, got ${JSON.stringify(values[name])}`, usage)
  }
  return value
}

/** `endpoint` if it looks like a zmq endpoint (`tcp://host:port`…); prints the usage and exits otherwise. */
export function endpointArgument(endpoint, what, usage) {
  if (!/^[a-z]+:\/\/./.test(endpoint))
    refuse(`${what} must be a zmq endpoint, got ${JSON.stringify(endpoint)}`, usage)
  return endpoint
}
