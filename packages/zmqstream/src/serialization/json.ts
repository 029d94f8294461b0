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
 * as with `JSON.parse`), strings, booleans, `null`; and, as Python's `json.loads` reads them from bytes,
 * a leading UTF-8 byte order mark is skipped and the tokens `NaN`, `Infinity` and `-Infinity` (Python's
 * `json.dumps` writes a float NaN or infinity so by default) are `NaN`, `Infinity`, `-Infinity`.
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
    // Only when JSON.parse refused it: the usual frame pays nothing for what Python reads beyond JSON.
    const parsed = parsePythonJson(text.charCodeAt(0) === BYTE_ORDER_MARK ? text.slice(1) : text)
    if (parsed.ok) return parsed.value
    throw error
  }
}

const BYTE_ORDER_MARK = 0xfeff
const QUOTE = 0x22
const BACKSLASH = 0x5c
const PYTHON_CONSTANTS: Record<string, number> = { NaN, Infinity, "-Infinity": -Infinity }

/**
 * `text` parsed as Python's `json.loads` reads it: JSON, with `NaN`/`Infinity`/`-Infinity` as values. Each
 * such token outside a string is written as a string of a marker made for this call (random, so that no
 * string of the frame's can be taken for one), which the reviver turns back into the number; a marker in a
 * key (`{NaN: 1}`) is refused, as Python refuses the key. `ok` is false for anything else JSON.parse refuses.
 */
function parsePythonJson(text: string): { ok: boolean; value?: unknown } {
  const marker = `\u0000zmq-eventloop-${randomUUID()}:`
  const marked = markPythonConstants(text, marker)
  let keyRefused = false
  try {
    const value: unknown = JSON.parse(marked, (key, item: unknown) => {
      if (key.startsWith(marker)) keyRefused = true
      return typeof item === "string" && item.startsWith(marker)
        ? PYTHON_CONSTANTS[item.slice(marker.length)]
        : item
    })
    return { ok: !keyRefused, value }
  } catch {
    return { ok: false }
  }
}

/**
 * `text` with each of Python's constants outside strings replaced by the JSON string `marker + token`: one
 * pass, in time linear in the text (a regular expression that skips strings whole rescanned an unclosed
 * string from each quote: a 200 KB frame of quotes took 8.8 s).
 */
function markPythonConstants(text: string, marker: string): string {
  const pieces: string[] = []
  let copiedTo = 0
  let index = 0
  while (index < text.length) {
    const code = text.charCodeAt(index)
    if (code === QUOTE) {
      index++
      while (index < text.length) {
        const inside = text.charCodeAt(index)
        if (inside === BACKSLASH) index += 2
        else if (inside === QUOTE) break
        else index++
      }
      index++
      continue
    }
    const token = pythonConstantAt(text, index)
    if (token === undefined) {
      index++
      continue
    }
    pieces.push(text.slice(copiedTo, index), JSON.stringify(marker + token))
    index += token.length
    copiedTo = index
  }
  pieces.push(text.slice(copiedTo))
  return pieces.join("")
}

function pythonConstantAt(text: string, index: number): string | undefined {
  for (const token of ["NaN", "Infinity", "-Infinity"]) if (text.startsWith(token, index)) return token
  return undefined
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

/** What `item` (a value `JSON.stringify` is about to write) is that JSON cannot represent, if anything. */
function unrepresentable(item: unknown): string | undefined {
  const type = typeof item
  if (type === "bigint" || type === "function" || type === "symbol") return `a ${type}`
  if (type === "number") return Number.isFinite(item) ? undefined : String(item)
  if (type !== "object" || item === null) return undefined
  // By tag, not instanceof: a Map or an ArrayBuffer of another realm (a vm context) is one too.
  switch (Object.prototype.toString.call(item)) {
    case "[object Map]":
      return "a Map"
    case "[object Set]":
      return "a Set"
    case "[object ArrayBuffer]":
    case "[object SharedArrayBuffer]":
      return `binary data (${(item as object).constructor?.name ?? "ArrayBuffer"})`
  }
  return ArrayBuffer.isView(item) ? `binary data (${item.constructor?.name ?? "a typed array"})` : undefined
}

/** Whether `item` is what `Buffer.prototype.toJSON` makes of a Buffer, which the replacer sees in its place. */
function looksLikeBufferJson(item: unknown): boolean {
  return (
    typeof item === "object" &&
    item !== null &&
    (item as { type?: unknown }).type === "Buffer" &&
    Array.isArray((item as { data?: unknown }).data)
  )
}

/**
 * `JSON.stringify` replacer: throws for the values it would otherwise drop, change or fail on. It sees each
 * value after its `toJSON` (a Map that a `toJSON` returns is refused too); a Buffer's own `toJSON` has
 * made it a plain object by then, so for that shape alone the holder's value is read again.
 */
function refuseUnrepresentable(this: Record<string, unknown>, key: string, item: unknown): unknown {
  let problem = unrepresentable(item)
  if (problem === undefined && looksLikeBufferJson(item) && Buffer.isBuffer(this[key])) {
    problem = "binary data (Buffer)"
  }
  if (problem === undefined) return item
  const where = key === "" ? `value is ${problem}` : `value contains ${problem} at key ${JSON.stringify(key)}`
  throw new TypeError(`${where}, which JSON cannot represent`)
}
