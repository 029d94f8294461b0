import { describeValue } from "@zmq-eventloop/ioloop/internal"
import { checkString } from "./validate.js"

/** Strings by name, as a `Map` or a plain object (pyzmq takes a dict): PLAIN passwords, certificate metadata. */
export type StringTable = ReadonlyMap<string, string> | Readonly<Record<string, string>>

/**
 * The entries of `table`, each value checked to be a string: TypeError naming `name` (and the key, as in
 * `passwords["alice"]`) otherwise.
 */
export function stringTableEntries(name: string, table: unknown): [string, string][] {
  if (table instanceof Map) {
    for (const [key, value] of table) {
      checkString(`${name} key`, key)
      checkString(`${name}[${JSON.stringify(key)}]`, value)
    }
    return [...(table as Map<string, string>)]
  }
  const prototype: unknown = typeof table === "object" && table !== null ? Object.getPrototypeOf(table) : 0
  if (prototype !== Object.prototype && prototype !== null) {
    throw new TypeError(`${name} must be a Map or a plain object of strings, got ${describeValue(table)}`)
  }
  const entries = Object.entries(table as object)
  for (const [key, value] of entries) checkString(`${name}[${JSON.stringify(key)}]`, value)
  return entries as [string, string][]
}

/** The string `table` holds under `key`, if any (own properties only: never `constructor` or `__proto__`). */
export function lookupString(table: StringTable, key: string): string | undefined {
  if (table instanceof Map) return table.get(key)
  const record = table as Readonly<Record<string, string>>
  return Object.hasOwn(record, key) ? record[key] : undefined
}
