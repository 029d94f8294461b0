/**
 * Helpers shared by the zmq-eventloop packages; not part of the public API (no semver promise).
 * @internal
 * @packageDocumentation
 */
export { checkFiniteNumber, checkFunction, describeValue } from "./validate.js"
export { describeCallback, debug } from "./logger.js"
export { isZmqSocket } from "./handler-entry.js"
