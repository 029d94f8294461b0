/**
 * `loadPyobj`: a safe reader for the Python pickles pyzmq's `send_pyobj` sends, when they hold plain
 * data. It is a stack machine like CPython's `Unpickler` (`Lib/pickle.py`), driven by a handler table
 * keyed on opcode name, with three differences that make it safe for untrusted input:
 * - no code runs: the only callables are the few globals Python itself uses to write plain data
 *   (`./unpickle-globals.ts`), each accepting only the argument shapes Python writes;
 * - no prototype is touched: dicts with string keys become null-prototype objects;
 * - input size and nesting depth are bounded, and recursive structures are refused, so the result is a
 *   tree (or a DAG) that a recursive consumer can walk.
 */
import { types } from "node:util"
import { checkOptionsObject } from "@zmq-eventloop/ioloop/internal"
import { OPCODES, Op, type OpName } from "./pickle-opcodes.js"
import {
  decodeRawUnicodeEscape,
  decodeStringLiteral,
  decodeUtf8SurrogatePass,
  parseDecimalInt,
  parseFloatText,
  toIntResult,
} from "./pickle-text.js"
import { PyGlobal, callGlobal, resolveGlobal } from "./unpickle-globals.js"

/** Limits for {@link loadPyobj}. */
export interface LoadPyobjOptions {
  /** Most levels of nested containers accepted (a flat list is 1 level). Default 1000. */
  readonly maxDepth?: number
  /** Largest pickle accepted, in bytes. Default 64 MiB. */
  readonly maxBytes?: number
}

export const DEFAULT_MAX_DEPTH = 1000
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024

/**
 * Read a Python pickle (protocols 0–5) holding plain data, like pyzmq's `recv_pyobj`
 * (`pickle.loads(frame)`), without running code.
 *
 * Type mapping (Python → JavaScript):
 * - `None` → `null`; `bool` → `boolean`; `float` → `number`
 * - `int` → `number` when it is a safe integer, else `bigint`
 * - `str` → `string` (Python 2 `str` is read as Latin-1 text); `bytes`, `bytearray` → `Buffer` (a copy)
 * - `list`, `tuple` → `Array`; `set`, `frozenset` → `Set`
 * - `dict` whose keys are all `str` → an object with a `null` prototype (a `"__proto__"` key is an own
 *   property); any other `dict` → `Map`
 *
 * Allowed globals (only via REDUCE, only with the arguments Python writes): `_codecs.encode`
 * (protocol 0–2 bytes), `builtins.bytes` (empty bytes), `builtins.set`, `builtins.frozenset`,
 * `builtins.bytearray`, also under the Python 2 module name `__builtin__`.
 *
 * @param frame - the pickle, as a Buffer or a received `Frame`
 * @param options - `maxDepth` (default 1000 levels) and `maxBytes` (default 64 MiB)
 * @throws TypeError when `frame` or `options` has the wrong type
 * @throws RangeError when the pickle is larger than `maxBytes` or nested deeper than `maxDepth`
 * @throws Error for any other global, class instance, REDUCE/BUILD on anything else, persistent ids,
 *   extension codes, out-of-band buffers, unknown opcodes, recursive structures, malformed or
 *   truncated data (`pickle data was truncated`); messages start with `loadPyobj:`
 */
export function loadPyobj(
  frame: Buffer | { readonly buffer: Buffer },
  options: LoadPyobjOptions = {},
): unknown {
  const data = frameBytes(frame, "frame")
  checkOptionsObject("options", options, "a loadPyobj option", ["maxDepth", "maxBytes"])
  const maxDepth = limit(options, "maxDepth", DEFAULT_MAX_DEPTH)
  const maxBytes = limit(options, "maxBytes", DEFAULT_MAX_BYTES)
  if (data.length > maxBytes) {
    throw new RangeError(`loadPyobj: frame is ${data.length} bytes, more than maxBytes (${maxBytes})`)
  }
  return new Unpickler(data, maxDepth).load()
}

/** The bytes of a Buffer, Uint8Array or Frame; TypeError naming `name` otherwise. */
export function frameBytes(frame: unknown, name: string): Buffer {
  if (Buffer.isBuffer(frame)) return frame
  if (types.isUint8Array(frame)) return Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength)
  const inner =
    typeof frame === "object" && frame !== null ? (frame as { buffer?: unknown }).buffer : undefined
  if (Buffer.isBuffer(inner)) return inner
  const got = frame === null ? "null" : typeof frame === "object" ? frame.constructor?.name : typeof frame
  throw new TypeError(`${name} must be a Buffer or a Frame, got ${got}`)
}

function limit(options: LoadPyobjOptions, key: "maxDepth" | "maxBytes", fallback: number): number {
  const value = options[key]
  if (value === undefined) return fallback
  if (typeof value !== "number") throw new TypeError(`options.${key} must be a number, got ${typeof value}`)
  if (!(value >= 1) || !Number.isInteger(value)) {
    throw new RangeError(`options.${key} must be a positive integer, got ${value}`)
  }
  return value
}

type Dict = Record<string, unknown> | Map<unknown, unknown>

/** What each opcode does; refused opcodes throw. `satisfies` makes the compiler check coverage. */
const HANDLERS = {
  MARK: (u) => u.pushMark(),
  STOP: (u) => (u.stopped = true),
  POP: (u) => (u.stack.length > 0 ? u.pop() : u.popMark()),
  POP_MARK: (u) => u.popMark(),
  DUP: (u) => u.push(u.share(u.top())),
  FLOAT: (u) => u.push(parseFloatText(u.readLine().toString("latin1"))),
  INT: (u) => {
    const text = u.readLine().toString("latin1")
    u.push(text === "01" ? true : text === "00" ? false : parseDecimalInt(text, "INT"))
  },
  BININT: (u) => u.push(u.read(4).readInt32LE(0)),
  BININT1: (u) => u.push(u.read(1)[0]),
  LONG: (u) => u.push(parseDecimalInt(u.readLine().toString("latin1").replace(/L$/, ""), "LONG")),
  BININT2: (u) => u.push(u.read(2).readUInt16LE(0)),
  NONE: (u) => u.push(null),
  PERSID: refuse("PERSID", "persistent ids are resolved by user code"),
  BINPERSID: refuse("BINPERSID", "persistent ids are resolved by user code"),
  REDUCE: (u) => {
    const args = u.pop()
    const callable = u.pop()
    if (!(callable instanceof PyGlobal)) {
      throw new Error(`loadPyobj: refusing REDUCE on ${describe(callable)}, which is not an allowed global`)
    }
    u.push(callGlobal(callable, args, u))
  },
  STRING: (u) => u.push(decodeStringLiteral(u.readLine())),
  BINSTRING: (u) => u.push(u.read(u.length(u.read(4).readInt32LE(0), "BINSTRING")).toString("latin1")),
  SHORT_BINSTRING: (u) => u.push(u.read(u.read(1)[0]!).toString("latin1")),
  UNICODE: (u) => u.push(decodeRawUnicodeEscape(u.readLine())),
  BINUNICODE: (u) => u.push(decodeUtf8SurrogatePass(u.read(u.read(4).readUInt32LE(0)))),
  APPEND: (u) => {
    const value = u.pop()
    u.append(u.top(), [value], "APPEND")
  },
  BUILD: refuse("BUILD", "it sets object state through __setstate__"),
  GLOBAL: (u) => {
    const module = u.readLine().toString("utf8")
    u.push(resolveGlobal(module, u.readLine().toString("utf8")))
  },
  DICT: (u) => {
    const items = u.popMark()
    u.push(u.setItems(Object.create(null) as Dict, items, "DICT"))
  },
  APPENDS: (u) => {
    const items = u.popMark()
    u.append(u.top(), items, "APPENDS")
  },
  GET: (u) => u.memoGet(Number(parseDecimalInt(u.readLine().toString("latin1"), "GET"))),
  BINGET: (u) => u.memoGet(u.read(1)[0]!),
  INST: refuse("INST", "it creates a class instance"),
  LONG_BINGET: (u) => u.memoGet(u.read(4).readUInt32LE(0)),
  LIST: (u) => u.push(u.adopt(u.popMark())),
  OBJ: refuse("OBJ", "it creates a class instance"),
  PUT: (u) => u.memoPut(Number(parseDecimalInt(u.readLine().toString("latin1"), "PUT"))),
  BINPUT: (u) => u.memoPut(u.read(1)[0]!),
  LONG_BINPUT: (u) => u.memoPut(u.read(4).readUInt32LE(0)),
  SETITEM: (u) => {
    const value = u.pop()
    const key = u.pop()
    u.replaceTop(u.setItems(u.top(), [key, value], "SETITEM"))
  },
  TUPLE: (u) => u.push(u.tuple(u.popMark())),
  SETITEMS: (u) => {
    const items = u.popMark()
    u.replaceTop(u.setItems(u.top(), items, "SETITEMS"))
  },
  EMPTY_TUPLE: (u) => u.push(u.tuple([])),
  EMPTY_LIST: (u) => u.push([]),
  EMPTY_DICT: (u) => u.push(Object.create(null)),
  BINFLOAT: (u) => u.push(u.read(8).readDoubleBE(0)),
  PROTO: (u) => {
    const proto = u.read(1)[0]!
    if (proto > 5) throw new Error(`loadPyobj: unsupported pickle protocol ${proto}`)
  },
  NEWOBJ: refuse("NEWOBJ", "it creates a class instance"),
  EXT1: refuse("EXT1", "it looks up the copyreg extension registry"),
  EXT2: refuse("EXT2", "it looks up the copyreg extension registry"),
  EXT4: refuse("EXT4", "it looks up the copyreg extension registry"),
  TUPLE1: (u) => u.push(u.tuple(u.popN(1))),
  TUPLE2: (u) => u.push(u.tuple(u.popN(2))),
  TUPLE3: (u) => u.push(u.tuple(u.popN(3))),
  NEWTRUE: (u) => u.push(true),
  NEWFALSE: (u) => u.push(false),
  LONG1: (u) => u.push(decodeLong(u.read(u.read(1)[0]!))),
  LONG4: (u) => u.push(decodeLong(u.read(u.length(u.read(4).readInt32LE(0), "LONG4")))),
  BINBYTES: (u) => u.push(Buffer.from(u.read(u.read(4).readUInt32LE(0)))),
  SHORT_BINBYTES: (u) => u.push(Buffer.from(u.read(u.read(1)[0]!))),
  SHORT_BINUNICODE: (u) => u.push(decodeUtf8SurrogatePass(u.read(u.read(1)[0]!))),
  BINUNICODE8: (u) => u.push(decodeUtf8SurrogatePass(u.read(u.readSize()))),
  BINBYTES8: (u) => u.push(Buffer.from(u.read(u.readSize()))),
  EMPTY_SET: (u) => u.push(new Set()),
  ADDITEMS: (u) => {
    const items = u.popMark()
    u.addItems(u.top(), items)
  },
  FROZENSET: (u) => u.push(u.frozenset(u.popMark())),
  NEWOBJ_EX: refuse("NEWOBJ_EX", "it creates a class instance"),
  STACK_GLOBAL: (u) => {
    const name = u.pop()
    const module = u.pop()
    if (typeof module !== "string" || typeof name !== "string") {
      throw new Error("loadPyobj: STACK_GLOBAL requires two str on the stack")
    }
    u.push(resolveGlobal(module, name))
  },
  MEMOIZE: (u) => u.memoPut(u.memo.size),
  // A frame only tells a streaming reader how much to read ahead; the whole pickle is in memory here.
  FRAME: (u) => u.readSize(),
  BYTEARRAY8: (u) => u.push(Buffer.from(u.read(u.readSize()))),
  NEXT_BUFFER: refuse("NEXT_BUFFER", "out-of-band buffers are not supported (none are supplied)"),
  READONLY_BUFFER: refuse("READONLY_BUFFER", "out-of-band buffers are not supported"),
} satisfies Record<OpName, (u: Unpickler) => unknown>

/** Handlers indexed by opcode byte, built once from the table above. */
const DISPATCH: ReadonlyArray<((u: Unpickler) => unknown) | undefined> = (() => {
  const table = new Array<((u: Unpickler) => unknown) | undefined>(256).fill(undefined)
  for (const [code, name] of OPCODES) table[code] = HANDLERS[name]
  return table
})()

function refuse(name: OpName, why: string): (u: Unpickler) => never {
  return () => {
    throw new Error(`loadPyobj: refusing opcode ${name} (0x${Op[name].toString(16)}): ${why}`)
  }
}

/** The machine's state and the container operations, each enforcing the safety rules. */
class Unpickler {
  stack: unknown[] = []
  readonly metastack: unknown[][] = []
  readonly memo = new Map<number, unknown>()
  stopped = false
  private pos = 0
  /** Tuples (arrays that must not change) and frozensets; REDUCE checks argument shapes with these. */
  readonly tuples = new WeakSet<object>()
  private readonly frozensets = new WeakSet<object>()
  /** Containers already inside another container: changing one later could form a cycle. */
  private readonly placed = new WeakSet<object>()
  /** Containers pushed again by DUP or a memo GET. */
  private readonly shared = new WeakSet<object>()
  /** Levels of containers below each container (0 for a container of scalars). */
  private readonly heights = new WeakMap<object, number>()
  /** Memo slots holding each object, so a dict that turns into a Map can be replaced there. */
  private readonly memoSlots = new WeakMap<object, number[]>()

  constructor(
    private readonly data: Buffer,
    private readonly maxDepth: number,
  ) {}

  load(): unknown {
    const { data } = this
    while (!this.stopped) {
      if (this.pos >= data.length) throw truncated()
      const code = data[this.pos++]!
      const handler = DISPATCH[code]
      if (handler === undefined) {
        throw new Error(
          `loadPyobj: unknown opcode 0x${code.toString(16).padStart(2, "0")} at offset ${this.pos - 1}`,
        )
      }
      handler(this)
    }
    // Like CPython, bytes after STOP are ignored.
    const result = this.pop()
    if (result instanceof PyGlobal)
      throw new Error(`loadPyobj: refusing global ${result.qualified} as a value`)
    return result
  }

  // --- reading the input ---
  read(n: number): Buffer {
    if (this.pos + n > this.data.length) throw truncated()
    const bytes = this.data.subarray(this.pos, this.pos + n)
    this.pos += n
    return bytes
  }
  readLine(): Buffer {
    const end = this.data.indexOf(0x0a, this.pos)
    if (end < 0) throw truncated()
    const line = this.data.subarray(this.pos, end)
    this.pos = end + 1
    return line
  }
  /** An 8-byte length; one larger than the input can never be satisfied. */
  readSize(): number {
    const size = this.read(8).readBigUInt64LE(0)
    if (size > BigInt(this.data.length - this.pos)) throw truncated()
    return Number(size)
  }
  length(n: number, opcode: string): number {
    if (n < 0) throw new Error(`loadPyobj: ${opcode} has a negative length`)
    return n
  }

  // --- the stack ---
  push(value: unknown): void {
    this.stack.push(value)
  }
  pop(): unknown {
    if (this.stack.length === 0) throw new Error("loadPyobj: unpickling stack underflow")
    return this.stack.pop()
  }
  top(): unknown {
    if (this.stack.length === 0) throw new Error("loadPyobj: unpickling stack underflow")
    return this.stack[this.stack.length - 1]
  }
  replaceTop(value: unknown): void {
    this.stack[this.stack.length - 1] = value
  }
  popN(n: number): unknown[] {
    if (this.stack.length < n) throw new Error("loadPyobj: unpickling stack underflow")
    return this.stack.splice(this.stack.length - n, n)
  }
  pushMark(): void {
    this.metastack.push(this.stack)
    this.stack = []
  }
  popMark(): unknown[] {
    const items = this.stack
    const previous = this.metastack.pop()
    if (previous === undefined) throw new Error("loadPyobj: could not find MARK")
    this.stack = previous
    return items
  }

  // --- the memo ---
  memoPut(index: number): void {
    const value = this.top()
    this.memo.set(index, value)
    if (typeof value === "object" && value !== null) {
      const slots = this.memoSlots.get(value)
      if (slots) slots.push(index)
      else this.memoSlots.set(value, [index])
    }
  }
  memoGet(index: number): void {
    if (!this.memo.has(index)) throw new Error(`loadPyobj: memo key ${index} not found`)
    this.push(this.share(this.memo.get(index)))
  }
  share<T>(value: T): T {
    if (typeof value === "object" && value !== null) this.shared.add(value)
    return value
  }

  // --- containers ---
  /** Record that `child` is now inside `parent`: refuses cycles and nesting beyond maxDepth. */
  place(parent: object, child: unknown): void {
    if (typeof child !== "object" || child === null || child instanceof Uint8Array) return
    if (child instanceof PyGlobal) throw new Error(`loadPyobj: refusing global ${child.qualified} as a value`)
    if (child === parent)
      throw new Error("loadPyobj: refusing a recursive structure (a container inside itself)")
    const height = (this.heights.get(child) ?? 0) + 1
    if (height >= this.maxDepth) {
      throw new RangeError(`loadPyobj: data is nested deeper than maxDepth (${this.maxDepth})`)
    }
    if (height > (this.heights.get(parent) ?? 0)) this.heights.set(parent, height)
    this.placed.add(child)
  }
  /** A container may only grow before it is placed in another one (so the result has no cycles). */
  private checkGrowable(target: object): void {
    if (this.placed.has(target)) {
      throw new Error(
        "loadPyobj: refusing to change a container after it was placed in another (recursive structures are not supported)",
      )
    }
  }
  adopt<T extends object>(container: T, items: Iterable<unknown> = container as Iterable<unknown>): T {
    for (const item of items) this.place(container, item)
    return container
  }
  tuple(items: unknown[]): unknown[] {
    this.tuples.add(items)
    return this.adopt(items)
  }
  frozenset(items: readonly unknown[]): Set<unknown> {
    const set = this.adopt(new Set(items), items)
    this.frozensets.add(set)
    return set
  }
  append(list: unknown, items: readonly unknown[], opcode: string): void {
    if (!Array.isArray(list) || this.tuples.has(list)) {
      throw new Error(`loadPyobj: ${opcode} needs a list below it, found ${describe(list)}`)
    }
    this.checkGrowable(list)
    for (const item of items) {
      this.place(list, item)
      list.push(item)
    }
  }
  addItems(set: unknown, items: readonly unknown[]): void {
    if (!(set instanceof Set) || this.frozensets.has(set)) {
      throw new Error(`loadPyobj: ADDITEMS needs a set below it, found ${describe(set)}`)
    }
    this.checkGrowable(set)
    for (const item of items) {
      this.place(set, item)
      set.add(item)
    }
  }
  /**
   * Store key/value pairs in a dict. A dict stays a null-prototype object while every key is a str; the
   * first other key turns it into a Map, which replaces it in the memo (the caller replaces it on the
   * stack). A dict pushed twice (DUP/GET) before that point cannot be replaced everywhere: refused.
   */
  setItems(target: unknown, items: readonly unknown[], opcode: string): Dict {
    if (!isDict(target))
      throw new Error(`loadPyobj: ${opcode} needs a dict below it, found ${describe(target)}`)
    if (items.length % 2 !== 0) throw new Error(`loadPyobj: ${opcode} has an odd number of items`)
    this.checkGrowable(target)
    let dict: Dict = target
    for (let i = 0; i < items.length; i += 2) {
      const key = items[i]
      const value = items[i + 1]
      this.place(dict, key)
      this.place(dict, value)
      if (dict instanceof Map) dict.set(key, value)
      else if (typeof key === "string") dict[key] = value
      else dict = this.toMap(dict).set(key, value)
    }
    return dict
  }
  private toMap(dict: Record<string, unknown>): Map<unknown, unknown> {
    if (this.shared.has(dict)) {
      throw new Error(
        "loadPyobj: refusing a dict with non-str keys that was referenced before it was complete",
      )
    }
    const map = new Map<unknown, unknown>(Object.entries(dict))
    const height = this.heights.get(dict)
    if (height !== undefined) this.heights.set(map, height)
    const slots = this.memoSlots.get(dict) ?? []
    for (const slot of slots) if (this.memo.get(slot) === dict) this.memo.set(slot, map)
    this.memoSlots.set(map, slots)
    return map
  }
}

export type { Unpickler }

function isDict(value: unknown): value is Dict {
  if (value instanceof Map) return true
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof PyGlobal) &&
    Object.getPrototypeOf(value) === null
  )
}

/** A short description of a stack value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "None"
  if (Array.isArray(value)) return "a list or tuple"
  if (value instanceof PyGlobal) return value.qualified
  if (value instanceof Map || isDict(value)) return "a dict"
  if (value instanceof Set) return "a set"
  if (Buffer.isBuffer(value)) return "bytes"
  return `a ${typeof value === "string" ? "str" : typeof value}`
}

/** LONG1/LONG4 payload: little-endian two's complement (CPython `decode_long`). */
function decodeLong(bytes: Buffer): number | bigint {
  const n = bytes.length
  if (n === 0) return 0
  if (n <= 6) return bytes.readIntLE(0, n)
  let value = BigInt(`0x${Buffer.from(bytes).reverse().toString("hex")}`)
  if (bytes[n - 1]! & 0x80) value -= 1n << BigInt(n * 8)
  return toIntResult(value)
}

function truncated(): Error {
  return new Error("loadPyobj: pickle data was truncated")
}
