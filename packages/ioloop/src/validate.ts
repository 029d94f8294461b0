import { inspect } from "node:util"

/** A short rendering of a received value for error messages (`got 42`, `got [Function: f]`). */
export function describeValue(value: unknown): string {
  return inspect(value, { depth: 0, breakLength: Infinity, maxArrayLength: 4, maxStringLength: 40 })
}

/** Throws `TypeError("<name> must be a function, got …")` unless `value` is a function. */
export function checkFunction(name: string, value: unknown): asserts value is Function {
  if (typeof value !== "function")
    throw new TypeError(`${name} must be a function, got ${describeValue(value)}`)
}

/** Throws `TypeError("<name> must be a finite number …")` unless `value` is one. */
export function checkFiniteNumber(name: string, value: unknown, unit = "ms"): asserts value is number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TypeError(`${name} must be a finite number (${unit}), got ${describeValue(value)}`)
  }
}

/** Whether `value` is a promise or promise-like (what a user callback may return to report a late error). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === "function"
  )
}

/**
 * Throws `TypeError("<name> must be an options object, got …")` unless `value` is a plain object (not null,
 * an array, or a function), so `new IOLoop([])` fails at the call instead of meaning "no options"; and
 * `TypeError("<name>.<key> is not <what> (<known>)")` for a key not in `known`: a misspelt option
 * (`timefunc`, `make_current`) would otherwise be ignored in silence, where tornado's keyword arguments
 * refuse it.
 */
export function checkOptionsObject(
  name: string,
  value: unknown,
  what: string,
  known: readonly string[],
): asserts value is object {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`${name} must be an options object, got ${describeValue(value)}`)
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new TypeError(`${name}.${key} is not ${what} (${known.join(", ")})`)
  }
}
