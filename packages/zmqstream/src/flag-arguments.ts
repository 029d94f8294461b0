/**
 * A flag argument given as `undefined`, which is what a port passes that kept pyzmq's constants on a
 * zeromq.js namespace (`import * as zmq from "zeromq"`: zeromq.js has no `zmq.POLLIN` or `zmq.SNDMORE`).
 * Read as "left out", it changed what the call does without a word: `send(part, { flags: zmq.SNDMORE })`
 * sent two messages instead of one, `register(socket, zmq.POLLIN)` polled for POLLOUT too. So it is refused.
 * @module
 */

/** The TypeError for `name` given as `undefined`, where one of `constants` (exported by this package) belongs. */
export function undefinedFlagError(name: string, constants: readonly string[], ifLeftOut: string): TypeError {
  const list = constants.join(", ")
  return new TypeError(
    `${name} is undefined: zeromq.js has no ${list} (a port's zmq.${constants[0]} is undefined there); ` +
      `import { ${list} } from "@zmq-eventloop/zmqstream", or leave ${name} out for ${ifLeftOut}`,
  )
}

/** The poll flags of `register`, `modify` and `flush`, as pyzmq names them. */
const POLL_FLAGS = ["POLLIN", "POLLOUT", "POLLERR"]

/**
 * The optional poll-flags argument in `given` (a rest parameter, so that leaving it out and passing
 * `undefined` can be told apart): `fallback` when left out. @throws TypeError when given as `undefined`.
 */
export function pollFlagsArgument(name: string, given: readonly unknown[], fallback: number): unknown {
  if (given.length === 0) return fallback
  if (given[0] === undefined) throw undefinedFlagError(name, POLL_FLAGS, "POLLIN | POLLOUT")
  return given[0]
}
