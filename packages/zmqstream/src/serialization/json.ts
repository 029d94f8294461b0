/**
 * JSON frames, as pyzmq's `send_json`/`recv_json` write and read them (`zmq.utils.jsonapi`): UTF-8 JSON
 * text, one value per frame.
 */
import { randomUUID } from "node:crypto"
import { frameBytes } from "./unpickle.js"

/**
 * Parse a frame of UTF-8 JSON, like pyzmq's `recv_json` (`json.loads(frame)`).
 *
 * Type mapping: objects → plain objects (as `JSON.parse` makes them: a `"__proto__"` key is an own
 * property, no prototype is changed), arrays → `Array`, numbers → `number` (large ints lose precision,
 * as with `JSON.parse`), strings, booleans, `null`; and, as Python's `json.loads` reads them (Python's
 * `json.dumps` writes a float NaN or infinity so by default), the tokens `NaN`, `Infinity` and
 * `-Infinity` → `NaN`, `Infinity`, `-Infinity`.
 *
 * @param frame - the message part, as a Buffer or a received `Frame`
 * @throws TypeError when `frame` is not a Buffer or Frame
 * @throws SyntaxError when the frame is not valid JSON
 */
export function loadJson(frame: Buffer | { readonly buffer: Buffer }): unknown {
  const text = frameBytes(frame, "frame").toString("utf8")
  try {
    return JSON.parse(text)
  } catch (error) {
    // Only when JSON.parse refused it: the usual frame pays nothing for Python's extra tokens.
    const parsed = parseWithPythonConstants(text)
    if (parsed.found) return parsed.value
    throw error
  }
}

// A JSON string, skipped whole, or one of Python's constants outside strings.
const STRING_OR_PYTHON_CONSTANT = /"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)/g
const PYTHON_CONSTANTS: Record<string, number> = { NaN, Infinity, "-Infinity": -Infinity }

/**
 * `text` parsed with Python's `NaN`/`Infinity`/`-Infinity` tokens: each is written as a string of a marker
 * made for this call (random, so that no string of the frame's can be taken for one), which the reviver
 * turns back into the number. `found` is false when the text has no such token (then it is simply invalid).
 */
function parseWithPythonConstants(text: string): { found: boolean; value?: unknown } {
  const marker = `\u0000zmq-eventloop-${randomUUID()}:`
  let found = false
  const marked = text.replace(STRING_OR_PYTHON_CONSTANT, (match, constant: string | undefined) => {
    if (constant === undefined) return match
    found = true
    return JSON.stringify(marker + constant)
  })
  if (!found) return { found }
  const value: unknown = JSON.parse(marked, (_key, item: unknown) =>
    typeof item === "string" && item.startsWith(marker) ? PYTHON_CONSTANTS[item.slice(marker.length)] : item,
  )
  return { found, value }
}

/**
 * Serialize `value` as UTF-8 JSON, like pyzmq's `send_json` (`json.dumps(obj).encode()`).
 *
 * The text is `JSON.stringify`'s compact form (`{"a":[1,2]}`), not modern pyzmq's spaced form
 * (`{"a": [1, 2]}`, pyzmq ≥ 22.2; older pyzmq wrote the compact one): every JSON reader, Python's
 * included, parses both identically, and the compact form is smaller and comes from the native
 * serializer at full speed. Non-ASCII text is written as UTF-8, not `\uXXXX` escapes.
 *
 * Type mapping: as `JSON.stringify` (a Date through its `toJSON`; `undefined` inside an object is left out
 * and inside an array becomes `null`), except that the values JSON cannot represent are refused instead of
 * being changed or dropped silently: `JSON.stringify` writes a Map or Set as `{}` and a Buffer as
 * `{"type":"Buffer",…}`, where Python's `json.dumps` raises for a set or bytes.
 *
 * @throws TypeError for a bigint, function, symbol, `NaN` or `±Infinity`, a Map, Set, Buffer, typed array,
 *   DataView or ArrayBuffer anywhere in `value`, for `value` itself `undefined`, or for a value that
 *   contains a cycle; the message names the problem and the key where it was found
 */
export function dumpJson(value: unknown): Buffer {
  let text: string | undefined
  try {
    text = JSON.stringify(value, refuseUnrepresentable)
  } catch (error) {
    // V8: "Converting circular structure to JSON …"
    if (error instanceof TypeError && /circular/i.test(error.message)) {
      throw new TypeError("value contains a cycle, which JSON cannot represent", { cause: error })
    }
    throw error
  }
  if (text === undefined) throw new TypeError("value is undefined, which JSON cannot represent")
  return Buffer.from(text, "utf8")
}

/** What `item` (as its holder has it, before any `toJSON`) is that JSON cannot represent, if anything. */
function unrepresentable(item: unknown): string | undefined {
  const type = typeof item
  if (type === "bigint" || type === "function" || type === "symbol") return `a ${type}`
  if (type === "number") return Number.isFinite(item) ? undefined : String(item)
  if (type !== "object" || item === null) return undefined
  if (item instanceof Map) return "a Map"
  if (item instanceof Set) return "a Set"
  if (ArrayBuffer.isView(item) || item instanceof ArrayBuffer) return `binary data (${item.constructor.name})`
  return undefined
}

/** `JSON.stringify` replacer: throws for the values it would otherwise drop, change or fail on. */
function refuseUnrepresentable(this: Record<string, unknown>, key: string, item: unknown): unknown {
  // The holder's own value: a Buffer's toJSON has already made `item` a plain object.
  const problem = unrepresentable(this[key])
  if (problem === undefined) return item
  const where = key === "" ? `value is ${problem}` : `value contains ${problem} at key ${JSON.stringify(key)}`
  throw new TypeError(`${where}, which JSON cannot represent`)
}
