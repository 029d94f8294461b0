/**
 * The Python pickle opcodes, protocols 0–5, as one table (CPython `Lib/pickle.py` and
 * `Lib/pickletools.py` are the reference). The writer (`pickle.ts`) takes byte values from `Op`;
 * the safe reader (`unpickle.ts`) keys its handler table on the names, so the compiler checks that
 * every opcode is either handled or explicitly refused.
 */

/** One opcode: byte value, pickletools name, the protocol that introduced it, what it does. */
type OpcodeEntry = readonly [code: number, name: string, proto: number, doc: string]

export const OPCODES = [
  [0x28, "MARK", 0, "push the mark (start of a variable-length group of items)"],
  [0x2e, "STOP", 0, "end of pickle: the top of the stack is the result"],
  [0x30, "POP", 0, "discard the top of the stack (or, if the stack is empty, pop to the mark)"],
  [0x31, "POP_MARK", 0, "discard everything down to and including the mark"],
  [0x32, "DUP", 0, "push the top of the stack again"],
  [0x46, "FLOAT", 0, "float as decimal text, newline-terminated"],
  [0x49, "INT", 0, "int as decimal text; '00' and '01' are False and True"],
  [0x4a, "BININT", 1, "4-byte signed little-endian int"],
  [0x4b, "BININT1", 1, "1-byte unsigned int"],
  [0x4c, "LONG", 0, "int as decimal text with an optional trailing 'L'"],
  [0x4d, "BININT2", 1, "2-byte unsigned little-endian int"],
  [0x4e, "NONE", 0, "push None"],
  [0x50, "PERSID", 0, "persistent id as text (refused: resolved by user code)"],
  [0x51, "BINPERSID", 1, "persistent id from the stack (refused: resolved by user code)"],
  [0x52, "REDUCE", 0, "call the callable below the top with the argument tuple on top"],
  [0x53, "STRING", 0, "Python 2 str as a quoted, escaped text literal"],
  [0x54, "BINSTRING", 1, "Python 2 str, 4-byte length"],
  [0x55, "SHORT_BINSTRING", 1, "Python 2 str, 1-byte length"],
  [0x56, "UNICODE", 0, "str in raw-unicode-escape, newline-terminated"],
  [0x58, "BINUNICODE", 1, "str in UTF-8, 4-byte length"],
  [0x61, "APPEND", 0, "append the top of the stack to the list below it"],
  [0x62, "BUILD", 0, "set an object's state (refused: runs __setstate__)"],
  [0x63, "GLOBAL", 0, "push module.name, both newline-terminated text"],
  [0x64, "DICT", 0, "build a dict from the key/value pairs above the mark"],
  [0x65, "APPENDS", 1, "extend the list below the mark with the items above it"],
  [0x67, "GET", 0, "push a memo entry, index as decimal text"],
  [0x68, "BINGET", 1, "push a memo entry, 1-byte index"],
  [0x69, "INST", 0, "build a class instance (refused)"],
  [0x6a, "LONG_BINGET", 1, "push a memo entry, 4-byte index"],
  [0x6c, "LIST", 0, "build a list from the items above the mark"],
  [0x6f, "OBJ", 1, "build a class instance (refused)"],
  [0x70, "PUT", 0, "store the top of the stack in the memo, index as decimal text"],
  [0x71, "BINPUT", 1, "store the top of the stack in the memo, 1-byte index"],
  [0x72, "LONG_BINPUT", 1, "store the top of the stack in the memo, 4-byte index"],
  [0x73, "SETITEM", 0, "set dict[key] = value from the top three stack items"],
  [0x74, "TUPLE", 0, "build a tuple from the items above the mark"],
  [0x75, "SETITEMS", 1, "set the key/value pairs above the mark in the dict below it"],
  [0x29, "EMPTY_TUPLE", 1, "push ()"],
  [0x5d, "EMPTY_LIST", 1, "push []"],
  [0x7d, "EMPTY_DICT", 1, "push {}"],
  [0x47, "BINFLOAT", 1, "8-byte big-endian IEEE 754 double"],
  [0x80, "PROTO", 2, "protocol version, 1 byte"],
  [0x81, "NEWOBJ", 2, "cls.__new__(cls, *args) (refused)"],
  [0x82, "EXT1", 2, "copyreg extension registry, 1-byte code (refused)"],
  [0x83, "EXT2", 2, "copyreg extension registry, 2-byte code (refused)"],
  [0x84, "EXT4", 2, "copyreg extension registry, 4-byte code (refused)"],
  [0x85, "TUPLE1", 2, "build a 1-tuple from the top of the stack"],
  [0x86, "TUPLE2", 2, "build a 2-tuple from the top two stack items"],
  [0x87, "TUPLE3", 2, "build a 3-tuple from the top three stack items"],
  [0x88, "NEWTRUE", 2, "push True"],
  [0x89, "NEWFALSE", 2, "push False"],
  [0x8a, "LONG1", 2, "int as little-endian two's complement, 1-byte length"],
  [0x8b, "LONG4", 2, "int as little-endian two's complement, 4-byte length"],
  [0x42, "BINBYTES", 3, "bytes, 4-byte length"],
  [0x43, "SHORT_BINBYTES", 3, "bytes, 1-byte length"],
  [0x8c, "SHORT_BINUNICODE", 4, "str in UTF-8, 1-byte length"],
  [0x8d, "BINUNICODE8", 4, "str in UTF-8, 8-byte length"],
  [0x8e, "BINBYTES8", 4, "bytes, 8-byte length"],
  [0x8f, "EMPTY_SET", 4, "push set()"],
  [0x90, "ADDITEMS", 4, "add the items above the mark to the set below it"],
  [0x91, "FROZENSET", 4, "build a frozenset from the items above the mark"],
  [0x92, "NEWOBJ_EX", 4, "cls.__new__(cls, *args, **kwargs) (refused)"],
  [0x93, "STACK_GLOBAL", 4, "push module.name, both str from the stack"],
  [0x94, "MEMOIZE", 4, "store the top of the stack in the memo at index len(memo)"],
  [0x95, "FRAME", 4, "start of a frame, 8-byte length (a read-ahead hint)"],
  [0x96, "BYTEARRAY8", 5, "bytearray, 8-byte length"],
  [0x97, "NEXT_BUFFER", 5, "push the next out-of-band buffer (refused: none are supplied)"],
  [0x98, "READONLY_BUFFER", 5, "make the top buffer read-only (refused with NEXT_BUFFER)"],
] as const satisfies readonly OpcodeEntry[]

/** An opcode name, e.g. `"BINUNICODE"`. */
export type OpName = (typeof OPCODES)[number][1]

/** Opcode byte values by name: `Op.MARK === 0x28`. */
export const Op = Object.fromEntries(OPCODES.map(([code, name]) => [name, code])) as {
  readonly [N in OpName]: number
}

/** The highest protocol this package writes and reads (Python 3.8+'s `pickle.HIGHEST_PROTOCOL`). */
export const HIGHEST_PROTOCOL = 5

/** Python's `Pickler._BATCHSIZE`: APPENDS/SETITEMS/ADDITEMS groups hold at most this many items. */
export const BATCH_SIZE = 1000
