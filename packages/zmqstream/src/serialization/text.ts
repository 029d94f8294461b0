import { describeValue } from "@zmq-eventloop/ioloop/internal"

/**
 * The largest code unit each Buffer text encoding can hold (`Infinity`: any well-formed text). base64 and hex
 * are Buffer encodings too, but `Buffer.from` decodes such text rather than encoding it: like Python's
 * `str.encode("hex")`, which pyzmq's `send_string` would call, they are refused.
 */
const TEXT_ENCODINGS: ReadonlyMap<string, number> = new Map([
  ["utf8", Infinity],
  ["utf-8", Infinity],
  ["utf16le", Infinity],
  ["utf-16le", Infinity],
  ["ucs2", Infinity],
  ["ucs-2", Infinity],
  ["latin1", 0xff],
  ["binary", 0xff],
  ["ascii", 0x7f],
])

/** A UTF-16 surrogate without its pair (`String.prototype.isWellFormed`, which ES2023's types lack). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/**
 * `text` encoded with `encoding` (a Buffer encoding for text), refusing what the encoding cannot hold, as
 * Python's codecs do (pyzmq's `send_string` raises `UnicodeEncodeError`), where `Buffer.from` would drop
 * the high bits of a character or replace a lone surrogate without a word.
 * @throws TypeError for an encoding that is not a text encoding; RangeError for text it cannot encode.
 */
export function encodeText(text: string, encoding: unknown): Buffer {
  const limit = typeof encoding === "string" ? TEXT_ENCODINGS.get(encoding.toLowerCase()) : undefined
  if (limit === undefined) {
    throw new TypeError(
      `options.encoding must be a text encoding (utf8, utf16le, latin1 or ascii), got ${describeValue(encoding)}`,
    )
  }
  const encodingName = encoding as BufferEncoding
  if (limit === Infinity) {
    checkWellFormed("text", text, encodingName)
  } else {
    for (let index = 0; index < text.length; index++) {
      const unit = text.charCodeAt(index)
      if (unit > limit) {
        const code = unit.toString(16).toUpperCase().padStart(4, "0")
        throw new RangeError(`text has U+${code} at index ${index}, which ${encodingName} cannot encode`)
      }
    }
  }
  return Buffer.from(text, encodingName)
}

/**
 * Refuses a string with a lone surrogate, which UTF-8 and UTF-16 cannot encode (Python's codecs raise;
 * `Buffer.from` would send U+FFFD instead). @throws RangeError naming `name`.
 */
export function checkWellFormed(name: string, text: string, encoding = "utf8"): void {
  if (LONE_SURROGATE.test(text))
    throw new RangeError(`${name} holds a lone surrogate, which ${encoding} cannot encode`)
}
