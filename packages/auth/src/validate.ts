import { fileURLToPath } from "node:url"
import { describeValue } from "@zmq-eventloop/ioloop/internal"

/** Throws `TypeError("<name> must be a string, got …")` unless `value` is one. */
export function checkString(name: string, value: unknown): asserts value is string {
  if (typeof value !== "string") throw new TypeError(`${name} must be a string, got ${describeValue(value)}`)
}

/** A file system path given as a string or a `file:` URL, as a string; TypeError naming `name` otherwise. */
export function toPath(name: string, value: unknown): string {
  if (value instanceof URL) return fileURLToPath(value)
  if (typeof value !== "string" || value === "") {
    throw new TypeError(`${name} must be a non-empty path string or a file: URL, got ${describeValue(value)}`)
  }
  return value
}
