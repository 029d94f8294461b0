import { inspect } from "node:util"

/** The value as a message shows it: `42`, `'text'`, `null`, `{ a: 1 }`. */
export function describe(value: unknown): string {
  return inspect(value, { depth: 0, breakLength: Infinity })
}

/**
 * Throws `TypeError("<name> must be a function, got <value>")` unless `value` is a function. Called once at
 * each public boundary, never on the hot path of a wrapped call.
 */
export function assertFunction(name: string, value: unknown): asserts value is (...args: never[]) => unknown {
  if (typeof value !== "function") throw new TypeError(`${name} must be a function, got ${describe(value)}`)
}
