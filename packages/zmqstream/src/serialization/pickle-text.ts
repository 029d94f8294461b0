/**
 * Text encodings pickle uses, in the forms Python writes them: UTF-8 with `surrogatepass` (protocol ≥ 1
 * str), `raw-unicode-escape` (protocol 0 str), Python 2 string literals (`STRING`) and decimal ints.
 */

/** Matches a UTF-16 surrogate that is not part of a pair (in `u` mode a pair is one code point). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u

/** Whether `text` holds a lone surrogate, which plain UTF-8 cannot carry. */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text)
}

/** UTF-8 with Python's `surrogatepass`: a lone surrogate becomes its 3-byte form (ED A0 80 …). */
export function encodeUtf8SurrogatePass(text: string): Buffer {
  const parts: Buffer[] = []
  for (const char of text) {
    const code = char.codePointAt(0)!
    if (code >= 0xd800 && code <= 0xdfff) {
      parts.push(Buffer.from([0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]))
    } else parts.push(Buffer.from(char, "utf8"))
  }
  return Buffer.concat(parts)
}

/**
 * Decode UTF-8 as Python's `bytes.decode('utf-8', 'surrogatepass')` does: the fast path is Node's
 * decoder; only when that produced U+FFFD and the bytes hold an encoded surrogate (ED A0–BF) is the
 * text decoded by hand. Other invalid UTF-8 is an error, as in Python.
 */
export function decodeUtf8SurrogatePass(bytes: Buffer): string {
  const text = bytes.toString("utf8")
  if (!text.includes("\uFFFD")) return text
  let out = ""
  let i = 0
  while (i < bytes.length) {
    const b0 = bytes[i]!
    let code: number
    let size: number
    if (b0 < 0x80) [code, size] = [b0, 1]
    else if (b0 >= 0xc2 && b0 < 0xe0) [code, size] = [b0 & 0x1f, 2]
    else if (b0 >= 0xe0 && b0 < 0xf0) [code, size] = [b0 & 0x0f, 3]
    else if (b0 >= 0xf0 && b0 < 0xf5) [code, size] = [b0 & 0x07, 4]
    else throw new Error(`loadPyobj: invalid UTF-8 in str at byte ${i}`)
    if (i + size > bytes.length) throw new Error(`loadPyobj: invalid UTF-8 in str at byte ${i}`)
    for (let k = 1; k < size; k++) {
      const b = bytes[i + k]!
      if ((b & 0xc0) !== 0x80) throw new Error(`loadPyobj: invalid UTF-8 in str at byte ${i}`)
      code = (code << 6) | (b & 0x3f)
    }
    const minimum = [0, 0, 0x80, 0x800, 0x10000][size]!
    if (code < minimum || code > 0x10ffff) throw new Error(`loadPyobj: invalid UTF-8 in str at byte ${i}`)
    out += String.fromCodePoint(code)
    i += size
  }
  return out
}

/**
 * Python's `raw-unicode-escape` decoding (protocol 0 `UNICODE`): bytes are Latin-1, except that
 * `\uXXXX` and `\UXXXXXXXX` are escapes when the backslash is not itself escaped.
 */
export function decodeRawUnicodeEscape(bytes: Buffer): string {
  const text = bytes.toString("latin1")
  return text.replace(/(\\+)(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})/g, (match, slashes: string, esc: string) => {
    if (slashes.length % 2 === 0) return match
    const code = parseInt(esc.slice(1), 16)
    if (code > 0x10ffff) throw new Error("loadPyobj: \\U escape out of range in UNICODE")
    return slashes.slice(1) + String.fromCodePoint(code)
  })
}

const SIMPLE_ESCAPES: Record<string, string> = {
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
}

/**
 * Decode a protocol 0 `STRING` argument: a quoted Python 2 literal (`'a\\n'`) whose escapes are
 * undone as `codecs.escape_decode` does. Python 3 then decodes the bytes as ASCII; this reader uses
 * Latin-1 (the same for ASCII, and it cannot fail).
 */
export function decodeStringLiteral(line: Buffer): string {
  const text = line.toString("latin1")
  const quote = text[0]
  if (text.length < 2 || (quote !== "'" && quote !== '"') || text[text.length - 1] !== quote) {
    throw new Error("loadPyobj: the STRING opcode argument must be quoted")
  }
  return text.slice(1, -1).replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/gs, (_match, esc: string) => {
    if (esc[0] === "x") return String.fromCharCode(parseInt(esc.slice(1), 16))
    if (/^[0-7]/.test(esc)) return String.fromCharCode(parseInt(esc, 8) & 0xff)
    return SIMPLE_ESCAPES[esc] ?? `\\${esc}`
  })
}

/** CPython's limit on decimal digits in an int conversion (`sys.int_info.default_max_str_digits`). */
const MAX_INT_DIGITS = 4300

/** Parse a protocol 0 decimal int (INT, LONG); safe values become numbers, others bigints. */
export function parseDecimalInt(text: string, opcode: string): number | bigint {
  if (!/^[+-]?\d+$/.test(text)) throw new Error(`loadPyobj: bad ${opcode} argument ${JSON.stringify(text)}`)
  if (text.replace(/^[+-]/, "").length > MAX_INT_DIGITS) {
    throw new RangeError(`loadPyobj: ${opcode} has more than ${MAX_INT_DIGITS} digits`)
  }
  const value = BigInt(text)
  return toIntResult(value)
}

/** An int as a number when it is a safe integer, else as a bigint. */
export function toIntResult(value: bigint): number | bigint {
  return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value
}

const SPECIAL_FLOATS = new Map<string, number>([
  ["nan", NaN],
  ["+nan", NaN],
  ["-nan", NaN],
  ["inf", Infinity],
  ["+inf", Infinity],
  ["-inf", -Infinity],
  ["infinity", Infinity],
  ["+infinity", Infinity],
  ["-infinity", -Infinity],
])

/** Parse a protocol 0 float (FLOAT): Python's `repr(float)`, including `nan`, `inf`, `-inf`. */
export function parseFloatText(text: string): number {
  const lower = text.trim().toLowerCase()
  const special = SPECIAL_FLOATS.get(lower)
  if (special !== undefined) return special
  const value = Number(lower)
  if (lower === "" || Number.isNaN(value)) {
    throw new Error(`loadPyobj: bad FLOAT argument ${JSON.stringify(text)}`)
  }
  return value
}
