/**
 * JSON frames, as pyzmq's `send_json`/`recv_json` write and read them (`zmq.utils.jsonapi`): UTF-8 JSON
 * text, one value per frame.
 */
import { frameBytes } from "./unpickle.js"

/**
 * Parse a frame of UTF-8 JSON, like pyzmq's `recv_json` (`json.loads(frame)`).
 *
 * Type mapping: objects → plain objects (as `JSON.parse` makes them: a `"__proto__"` key is an own
 * property, no prototype is changed), arrays → `Array`, numbers → `number` (large ints lose precision,
 * as with `JSON.parse`), strings, booleans, `null`.
 *
 * @param frame - the message part, as a Buffer or a received `Frame`
 * @throws TypeError when `frame` is not a Buffer or Frame
 * @throws SyntaxError when the frame is not valid JSON (Python's non-standard `NaN`/`Infinity`
 *   tokens included)
 */
export function loadJson(frame: Buffer | { readonly buffer: Buffer }): unknown {
  return JSON.parse(frameBytes(frame, "frame").toString("utf8"))
}

/**
 * Serialize `value` as UTF-8 JSON, like pyzmq's `send_json` (`json.dumps(obj).encode()`).
 *
 * The text is `JSON.stringify`'s compact form (`{"a":[1,2]}`), not modern pyzmq's spaced form
 * (`{"a": [1, 2]}`, pyzmq ≥ 22.2; older pyzmq wrote the compact one): every JSON reader, Python's
 * included, parses both identically, and the compact form is smaller and comes from the native
 * serializer at full speed. Non-ASCII text is written as UTF-8, not `\uXXXX` escapes.
 *
 * Type mapping: as `JSON.stringify` (plain objects and Maps-as-objects are not special: a Map or Set is
 * written as `{}`, a Date through its `toJSON`; `undefined` inside an object is left out and inside an
 * array becomes `null`), except that the values JSON cannot represent are refused instead of being
 * changed or dropped silently.
 *
 * @throws TypeError for a bigint, function, symbol, `NaN` or `±Infinity` anywhere in `value`, for
 *   `value` itself `undefined`, or for a value that contains a cycle; the message names the problem
 *   and the key where it was found
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

/** `JSON.stringify` replacer: throws for the values it would otherwise drop, change or fail on. */
function refuseUnrepresentable(key: string, item: unknown): unknown {
  const type = typeof item
  let problem: string | undefined
  if (type === "bigint" || type === "function" || type === "symbol") problem = `a ${type}`
  else if (type === "number" && !Number.isFinite(item)) problem = String(item)
  if (problem === undefined) return item
  const where = key === "" ? `value is ${problem}` : `value contains ${problem} at key ${JSON.stringify(key)}`
  throw new TypeError(`${where}, which JSON cannot represent`)
}
