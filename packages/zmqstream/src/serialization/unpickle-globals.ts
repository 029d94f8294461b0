/**
 * The globals `loadPyobj` lets a pickle call: exactly those Python itself uses to write plain data,
 * each with exactly the argument shapes Python writes (checked against CPython 3.11 and Python 2.7
 * output). Anything else named by GLOBAL or STACK_GLOBAL is refused when it is read, before REDUCE.
 */
import type { Unpickler } from "./unpickle.js"

/** An allowed global on the stack, waiting for REDUCE; never part of a result. */
export class PyGlobal {
  constructor(
    readonly name: AllowedName,
    /** As written in the pickle, e.g. `__builtin__.set`. */
    readonly qualified: string,
  ) {}
}

type Args = readonly unknown[]
type Call = (args: Args, u: Unpickler) => unknown

const LATIN1_NAMES = new Set(["latin1", "latin-1", "latin_1", "iso-8859-1", "iso8859-1", "l1"])

/** One line per allowed global: what Python writes with it, and what it becomes. */
const ALLOWED = {
  // Protocols 0–2 write non-empty bytes as _codecs.encode(bytes.decode('latin1'), 'latin1').
  "_codecs.encode": (args) => (isLatin1Call(args) ? latin1Bytes(args[0] as string) : undefined),
  // Protocols 0–2 write b'' as bytes().
  "builtins.bytes": (args) => (args.length === 0 ? Buffer.alloc(0) : undefined),
  // Protocols 0–3 write a set as set([items]) and a frozenset as frozenset([items]).
  "builtins.set": (args, u) =>
    isOneList(args, u) ? u.adopt(new Set(args[0] as Args), args[0] as Args) : undefined,
  "builtins.frozenset": (args, u) => (isOneList(args, u) ? u.frozenset(args[0] as Args) : undefined),
  // bytearray.__reduce_ex__: () when empty; (bytes,) in Python 3; (str, 'latin-1') in Python 2.
  "builtins.bytearray": (args) =>
    args.length === 0
      ? Buffer.alloc(0)
      : args.length === 1 && Buffer.isBuffer(args[0])
        ? Buffer.from(args[0])
        : isLatin1Call(args)
          ? latin1Bytes(args[0] as string)
          : undefined,
} satisfies Record<string, Call>

type AllowedName = keyof typeof ALLOWED

/** Python 2 module names, as Python 3's `fix_imports` maps them. */
const MODULE_ALIASES: Record<string, string> = { __builtin__: "builtins" }

/** GLOBAL/STACK_GLOBAL: an allowed global, or an Error naming the refused one. */
export function resolveGlobal(module: string, name: string): PyGlobal {
  const canonical = `${Object.hasOwn(MODULE_ALIASES, module) ? MODULE_ALIASES[module] : module}.${name}`
  if (!Object.hasOwn(ALLOWED, canonical)) {
    throw new Error(
      `loadPyobj: refusing global ${module}.${name} (only ${Object.keys(ALLOWED).join(", ")} are allowed)`,
    )
  }
  return new PyGlobal(canonical as AllowedName, `${module}.${name}`)
}

/** REDUCE on an allowed global: its result, or an Error when the arguments are not Python's shape. */
export function callGlobal(callable: PyGlobal, args: unknown, u: Unpickler): unknown {
  if (!Array.isArray(args) || !u.tuples.has(args)) {
    throw new Error(`loadPyobj: REDUCE on ${callable.qualified} needs an argument tuple`)
  }
  const result: unknown = ALLOWED[callable.name](args, u)
  if (result === undefined) {
    throw new Error(
      `loadPyobj: refusing ${callable.qualified} called with arguments Python does not write for plain data`,
    )
  }
  return result
}

function isOneList(args: Args, u: Unpickler): boolean {
  return args.length === 1 && Array.isArray(args[0]) && !u.tuples.has(args[0])
}

function isLatin1Call(args: Args): boolean {
  return (
    args.length === 2 &&
    typeof args[0] === "string" &&
    typeof args[1] === "string" &&
    LATIN1_NAMES.has(args[1].toLowerCase())
  )
}

function latin1Bytes(text: string): Buffer {
  if (/[\u0100-\uffff]/.test(text)) {
    throw new Error("loadPyobj: _codecs.encode argument is not Latin-1 text")
  }
  return Buffer.from(text, "latin1")
}
