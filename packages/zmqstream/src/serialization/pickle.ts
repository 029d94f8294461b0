/**
 * `dumpPyobj`: JavaScript plain data → Python pickle (protocols 2–5), the bytes pyzmq's
 * `send_pyobj` sends (`pickle.dumps(obj, protocol)`). The output follows CPython's `Pickler` opcode
 * for opcode (same integer, string and bytes opcodes, same memo and batching), so small values are
 * byte-for-byte what Python writes; the one simplification is that protocols 4–5 put the whole body in
 * a single FRAME instead of splitting it every 64 KiB (frames are a read-ahead hint; any size is valid).
 */
import { BATCH_SIZE, HIGHEST_PROTOCOL, Op } from "./pickle-opcodes.js"
import { encodeUtf8SurrogatePass, hasLoneSurrogate } from "./pickle-text.js"

/** Nesting deeper than this is refused (CPython's pickler stops near its recursion limit, 1000). */
const MAX_DEPTH = 1000

/** Frames shorter than this are written unframed (CPython's `_Framer._FRAME_SIZE_MIN`). */
const FRAME_SIZE_MIN = 4

const UNSUPPORTED =
  "dumpPyobj writes only null, undefined, booleans, numbers, bigints, strings, Buffer/Uint8Array, " +
  "arrays, Maps, Sets and plain objects"

/** A pickle protocol `dumpPyobj` writes: 2 to 5, or -1 (any negative number) for the highest, as in Python. */
export type PickleProtocol = -1 | 2 | 3 | 4 | 5

/**
 * Serialize `value` as a Python pickle, like pyzmq's `send_pyobj` (`pickle.dumps(obj, protocol)`).
 *
 * Type mapping (JavaScript → Python):
 * - `null`, `undefined` → `None`; `boolean` → `bool`
 * - safe integers (`Number.isSafeInteger`, so `-0` becomes `0`) and `bigint` → `int`;
 *   every other number → `float` (including `NaN`, `Infinity`, `-Infinity` and integers ≥ 2**53)
 * - `string` → `str` (a lone UTF-16 surrogate is kept, as Python's `surrogatepass` does)
 * - `Buffer`/`Uint8Array` → `bytes` (protocol 2 has no bytes opcode: written as
 *   `_codecs.encode(str, 'latin1')`, exactly as Python does)
 * - `Array` → `list` (holes → `None`); `Map` and plain objects (prototype `Object.prototype` or `null`,
 *   own enumerable string keys) → `dict`; `Set` → `set`
 *
 * Map keys and Set elements must be hashable in Python: strings, numbers, bigints, booleans,
 * `null`/`undefined` or bytes. An object reached twice is written once and referenced (Python sees one
 * shared object), as Python's memo does.
 *
 * @param protocol - pickle protocol, 2 to 5, or negative for the highest (pyzmq's default, -1); default 5
 * @throws TypeError for a function, symbol, class instance (Date, RegExp, typed arrays other than
 *   Uint8Array…), an unhashable Map key or Set element, or a value that contains a cycle; the message
 *   names the path (`value.a[2]`)
 * @throws RangeError for a protocol 0, 1 or above 5, or nesting deeper than 1000 levels
 */
export function dumpPyobj(value: unknown, protocol: PickleProtocol = HIGHEST_PROTOCOL): Buffer {
  if (typeof protocol !== "number") {
    throw new TypeError(`protocol must be a number from 2 to 5, got ${typeof protocol}`)
  }
  if (!Number.isInteger(protocol) || (protocol >= 0 && protocol < 2) || protocol > HIGHEST_PROTOCOL) {
    throw new RangeError(
      `protocol must be an integer from 2 to 5 (or negative: the highest), got ${String(protocol)}`,
    )
  }
  // A negative protocol means the highest, as in Python (pyzmq's send_pyobj default is -1).
  return new PickleWriter(protocol < 0 ? HIGHEST_PROTOCOL : protocol).dump(value)
}

class PickleWriter {
  private buf = Buffer.allocUnsafe(256)
  private pos = 0
  private memoSize = 0
  /** Strings are memoized by value, objects by identity, globals by "module\nname". */
  private readonly strMemo = new Map<string, number>()
  private readonly objMemo = new Map<object, number>()
  private readonly globalMemo = new Map<string, number>()
  /** Containers being written: meeting one again means a cycle. */
  private readonly active = new Set<object>()
  /** Path segments from the root to the value being written (`[2]`, `.name`), for error messages. */
  private readonly path: string[] = []

  constructor(private readonly proto: number) {}

  dump(value: unknown): Buffer {
    // PROTO, then room for a FRAME header (protocol ≥ 4), then the body.
    this.pos = 11
    this.save(value, 0)
    this.byte(Op.STOP)
    const bodyLength = this.pos - 11
    if (this.proto >= 4 && bodyLength >= FRAME_SIZE_MIN) {
      this.buf[0] = Op.PROTO
      this.buf[1] = this.proto
      this.buf[2] = Op.FRAME
      this.buf.writeBigUInt64LE(BigInt(bodyLength), 3)
      return this.buf.subarray(0, this.pos)
    }
    this.buf[9] = Op.PROTO
    this.buf[10] = this.proto
    return this.buf.subarray(9, this.pos)
  }

  private save(value: unknown, depth: number): void {
    switch (typeof value) {
      case "undefined":
        return this.byte(Op.NONE)
      case "boolean":
        return this.byte(value ? Op.NEWTRUE : Op.NEWFALSE)
      case "number":
        if (Number.isSafeInteger(value)) return this.saveInt(value)
        this.ensure(9)
        this.buf[this.pos] = Op.BINFLOAT
        this.buf.writeDoubleBE(value, this.pos + 1)
        this.pos += 9
        return
      case "bigint":
        return this.saveInt(value)
      case "string":
        return this.saveStr(value)
      case "object":
        if (value === null) return this.byte(Op.NONE)
        return this.saveObject(value, depth)
      default:
        throw new TypeError(`${this.where()} is ${kindOf(value)}; ${UNSUPPORTED}`)
    }
  }

  private saveObject(value: object, depth: number): void {
    if (this.active.has(value)) throw new TypeError(`value contains a cycle (at ${this.where()})`)
    const memoIndex = this.objMemo.get(value)
    if (memoIndex !== undefined) return this.get(memoIndex)
    if (depth >= MAX_DEPTH) {
      throw new RangeError(`value is nested deeper than ${MAX_DEPTH} levels (at ${this.where()})`)
    }
    if (value instanceof Uint8Array && (value.constructor === Uint8Array || Buffer.isBuffer(value))) {
      return this.saveBytes(value)
    }
    this.active.add(value)
    if (Array.isArray(value)) this.saveList(value, depth + 1)
    else if (value instanceof Map) this.saveDict(value, value.size, depth + 1)
    else if (value instanceof Set) this.saveSet(value, depth + 1)
    else if (isPlainObject(value)) this.saveDict(value, -1, depth + 1)
    else {
      throw new TypeError(`${this.where()} is ${kindOf(value)}; ${UNSUPPORTED}`)
    }
    this.active.delete(value)
  }

  /** CPython `save_long`: BININT1/BININT2/BININT when they fit, else LONG1/LONG4. */
  private saveInt(value: number | bigint): void {
    if (value >= 0 && value <= 0xff) {
      this.ensure(2)
      this.buf[this.pos++] = Op.BININT1
      this.buf[this.pos++] = Number(value)
    } else if (value >= 0 && value <= 0xffff) {
      this.ensure(3)
      this.buf[this.pos] = Op.BININT2
      this.buf.writeUInt16LE(Number(value), this.pos + 1)
      this.pos += 3
    } else if (value >= -0x80000000 && value <= 0x7fffffff) {
      this.ensure(5)
      this.buf[this.pos] = Op.BININT
      this.buf.writeInt32LE(Number(value), this.pos + 1)
      this.pos += 5
    } else {
      const encoded = encodeLong(BigInt(value))
      if (encoded.length < 256) {
        this.byte(Op.LONG1)
        this.byte(encoded.length)
      } else {
        this.byte(Op.LONG4)
        this.uint32(encoded.length)
      }
      this.raw(encoded)
    }
  }

  /** CPython `save_str` (binary protocols): SHORT_BINUNICODE (≥ 4), BINUNICODE, BINUNICODE8 (≥ 4). */
  private saveStr(value: string): void {
    const memoIndex = this.strMemo.get(value)
    if (memoIndex !== undefined) return this.get(memoIndex)
    const encoded = hasLoneSurrogate(value) ? encodeUtf8SurrogatePass(value) : undefined
    const n = encoded ? encoded.length : Buffer.byteLength(value, "utf8")
    if (n <= 0xff && this.proto >= 4) {
      this.byte(Op.SHORT_BINUNICODE)
      this.byte(n)
      /* c8 ignore next 3 -- a JavaScript string cannot hold 4 GiB of UTF-8 */
    } else if (n > 0xffffffff && this.proto >= 4) {
      this.byte(Op.BINUNICODE8)
      this.uint64(n)
    } else {
      this.byte(Op.BINUNICODE)
      this.uint32(n)
    }
    this.ensure(n)
    if (encoded) encoded.copy(this.buf, this.pos)
    else this.buf.write(value, this.pos, "utf8")
    this.pos += n
    this.strMemo.set(value, this.memoize())
  }

  /** CPython `save_bytes`: SHORT_BINBYTES/BINBYTES/BINBYTES8, or `_codecs.encode` under protocol 2. */
  private saveBytes(value: Uint8Array): void {
    const n = value.length
    if (this.proto < 3) {
      if (n === 0) {
        this.saveGlobal("__builtin__", "bytes")
        this.byte(Op.EMPTY_TUPLE)
      } else {
        this.saveGlobal("_codecs", "encode")
        this.saveStr(Buffer.from(value.buffer, value.byteOffset, n).toString("latin1"))
        this.saveStr("latin1")
        this.byte(Op.TUPLE2)
        this.memoize()
      }
      this.byte(Op.REDUCE)
    } else {
      if (n <= 0xff) {
        this.byte(Op.SHORT_BINBYTES)
        this.byte(n)
        /* c8 ignore next 4 -- not tested: needs a 4 GiB buffer */
      } else if (n > 0xffffffff) {
        if (this.proto < 4) throw new RangeError(`${this.where()} is over 4 GiB, which needs protocol 4`)
        this.byte(Op.BINBYTES8)
        this.uint64(n)
      } else {
        this.byte(Op.BINBYTES)
        this.uint32(n)
      }
      this.raw(value)
    }
    this.objMemo.set(value, this.memoize())
  }

  /** CPython `save_list` + `_batch_appends`. */
  private saveList(value: readonly unknown[], depth: number): void {
    this.byte(Op.EMPTY_LIST)
    this.objMemo.set(value, this.memoize())
    this.saveItems(value.length, Op.APPEND, Op.APPENDS, (i) => {
      this.path.push(`[${i}]`)
      this.save(value[i], depth)
      this.path.pop()
    })
  }

  /** CPython `save_dict` + `_batch_setitems`; `size` is -1 for a plain object. */
  private saveDict(value: object, size: number, depth: number): void {
    this.byte(Op.EMPTY_DICT)
    this.objMemo.set(value, this.memoize())
    if (value instanceof Map) {
      const entries = [...value.entries()]
      this.saveItems(size, Op.SETITEM, Op.SETITEMS, (i) => {
        const [key, item] = entries[i]!
        this.checkHashable(key, "Map key")
        this.path.push(`.get(${describeKey(key)})`)
        this.save(key, depth)
        this.save(item, depth)
        this.path.pop()
      })
    } else {
      const record = value as Record<string, unknown>
      const keys = Object.keys(record)
      this.saveItems(keys.length, Op.SETITEM, Op.SETITEMS, (i) => {
        const key = keys[i]!
        this.saveStr(key)
        this.path.push(/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`)
        this.save(record[key], depth)
        this.path.pop()
      })
    }
  }

  /** CPython `save_set`: EMPTY_SET + ADDITEMS (protocol ≥ 4), else `builtins.set(list)` via REDUCE. */
  private saveSet(value: ReadonlySet<unknown>, depth: number): void {
    const items = [...value]
    const saveItem = (i: number): void => {
      this.checkHashable(items[i], "Set element")
      this.path.push(" (a Set element)")
      this.save(items[i], depth)
      this.path.pop()
    }
    if (this.proto >= 4) {
      this.byte(Op.EMPTY_SET)
      this.objMemo.set(value, this.memoize())
      for (let start = 0; start < items.length; start += BATCH_SIZE) {
        this.byte(Op.MARK)
        for (let i = start; i < Math.min(items.length, start + BATCH_SIZE); i++) saveItem(i)
        this.byte(Op.ADDITEMS)
      }
      return
    }
    this.saveGlobal(this.proto < 3 ? "__builtin__" : "builtins", "set")
    this.byte(Op.EMPTY_LIST)
    this.memoize()
    this.saveItems(items.length, Op.APPEND, Op.APPENDS, saveItem)
    this.byte(Op.TUPLE1)
    this.memoize()
    this.byte(Op.REDUCE)
    this.objMemo.set(value, this.memoize())
  }

  /**
   * CPython's `batch_list_exact`/`batch_dict_exact`: a single item is written with `one` (APPEND,
   * SETITEM); otherwise every group of up to 1000 items, a last group of one included, is MARK … `many`.
   */
  private saveItems(count: number, one: number, many: number, saveItem: (i: number) => void): void {
    if (count === 1) {
      saveItem(0)
      this.byte(one)
      return
    }
    for (let start = 0; start < count; start += BATCH_SIZE) {
      this.byte(Op.MARK)
      for (let i = start; i < Math.min(count, start + BATCH_SIZE); i++) saveItem(i)
      this.byte(many)
    }
  }

  /** GLOBAL (protocols 2–3 only; module and name are ASCII here), memoized like CPython does. */
  private saveGlobal(module: string, name: string): void {
    const key = `${module}\n${name}`
    const memoIndex = this.globalMemo.get(key)
    if (memoIndex !== undefined) return this.get(memoIndex)
    this.byte(Op.GLOBAL)
    this.raw(Buffer.from(`${key}\n`, "latin1"))
    this.globalMemo.set(key, this.memoize())
  }

  private checkHashable(value: unknown, what: string): void {
    const type = typeof value
    if (value === null || (type !== "object" && type !== "function" && type !== "symbol")) return
    if (value instanceof Uint8Array) return
    throw new TypeError(
      `${this.where()} has a ${what} that Python cannot hash (${kindOf(value)}); use strings, numbers, ` +
        `bigints, booleans, null or bytes`,
    )
  }

  /** Store the last value in the memo: MEMOIZE (protocol ≥ 4) or BINPUT/LONG_BINPUT. */
  private memoize(): number {
    const index = this.memoSize++
    if (this.proto >= 4) this.byte(Op.MEMOIZE)
    else if (index < 256) {
      this.byte(Op.BINPUT)
      this.byte(index)
    } else {
      this.byte(Op.LONG_BINPUT)
      this.uint32(index)
    }
    return index
  }

  private get(index: number): void {
    if (index < 256) {
      this.byte(Op.BINGET)
      this.byte(index)
    } else {
      this.byte(Op.LONG_BINGET)
      this.uint32(index)
    }
  }

  private where(): string {
    return `value${this.path.join("")}`
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + extra))
    this.buf.copy(grown, 0, 0, this.pos)
    this.buf = grown
  }

  private byte(value: number): void {
    this.ensure(1)
    this.buf[this.pos++] = value
  }

  private uint32(value: number): void {
    this.ensure(4)
    this.buf.writeUInt32LE(value, this.pos)
    this.pos += 4
  }

  /* c8 ignore next 5 -- only for the 4 GiB cases above */
  private uint64(value: number): void {
    this.ensure(8)
    this.buf.writeBigUInt64LE(BigInt(value), this.pos)
    this.pos += 8
  }

  private raw(bytes: Uint8Array): void {
    this.ensure(bytes.length)
    this.buf.set(bytes, this.pos)
    this.pos += bytes.length
  }
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** "a function", "a Date", "an Int16Array", "an object" (no named constructor), for messages. */
function kindOf(value: unknown): string {
  const name =
    typeof value === "object" && value !== null
      ? (value.constructor as { name?: string } | undefined)?.name || "object"
      : typeof value
  return `${/^[aeiouAEIOU]/.test(name) ? "an" : "a"} ${name}`
}

function describeKey(key: unknown): string {
  if (typeof key === "string") return JSON.stringify(key)
  if (typeof key === "bigint") return `${key}n`
  if (key instanceof Uint8Array) return "<bytes>"
  return String(key)
}

/**
 * CPython `encode_long`: little-endian two's complement in the fewest bytes (never called for 0).
 * -2**31-1 → ff ff ff 7f ff; 2**64 → 00 … 00 01.
 */
export function encodeLong(value: bigint): Buffer {
  const magnitude = value < 0n ? -value : value
  const hex = magnitude.toString(16)
  const bitLength = (hex.length - 1) * 4 + parseInt(hex[0]!, 16).toString(2).length
  let nbytes = (bitLength >> 3) + 1
  const unsigned = value < 0n ? (1n << BigInt(nbytes * 8)) + value : value
  const bytes = Buffer.from(unsigned.toString(16).padStart(nbytes * 2, "0"), "hex").reverse()
  // A negative number whose top byte is only sign extension loses that byte (as CPython does).
  if (value < 0n && nbytes > 1 && bytes[nbytes - 1] === 0xff && (bytes[nbytes - 2]! & 0x80) !== 0) {
    nbytes--
  }
  return bytes.subarray(0, nbytes)
}
