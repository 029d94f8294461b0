// dumpPyobj/loadPyobj: pyzmq's send_pyobj/recv_pyobj (pickle.dumps/pickle.loads) for plain data.
// Expected bytes below were produced by CPython 3.11's pickle.dumps (see test/python-interop.ts for
// the live cross-check against /usr/bin/python3).
import { createHash } from "node:crypto"
import t from "tap"
import { dumpPyobj, type PickleProtocol } from "../../src/serialization/pickle.js"
import { loadPyobj, type LoadPyobjOptions } from "../../src/serialization/unpickle.js"

const PROTOCOLS: PickleProtocol[] = [2, 3, 4, 5]
const hex = (s: string): Buffer => Buffer.from(s, "hex")
const bin = (s: string): Buffer => Buffer.from(s, "latin1")
const sha256 = (b: Buffer): string => createHash("sha256").update(b).digest("hex")

t.test("every supported type survives a round trip in protocols 2 to 5", async (t) => {
  const value = {
    int: 7,
    neg: -5,
    zero: 0,
    u16: 65535,
    i32: -2147483648,
    big: 2n ** 70n,
    negbig: -(2n ** 70n),
    safeMax: Number.MAX_SAFE_INTEGER,
    float: 1.25,
    huge: 1e300,
    negInf: -Infinity,
    str: "héllo wörld",
    astral: "😀 𝄞",
    empty: "",
    long: "x".repeat(70000),
    bytes: Buffer.from([0, 255, 97]),
    u8: new Uint8Array([1, 2, 3]),
    noBytes: Buffer.alloc(0),
    bigBytes: Buffer.alloc(70000, 7),
    none: null,
    t: true,
    f: false,
    list: [1, [2, [3, []]]],
    set: new Set([1, "a", 2n ** 80n]),
    emptySet: new Set(),
    map: new Map<unknown, unknown>([
      [1, "one"],
      ["k", [true]],
      [null, 0],
      [false, 1],
    ]),
    nested: { a: { b: { c: [{}] } } },
  }
  for (const protocol of PROTOCOLS) {
    const back = loadPyobj(dumpPyobj(value, protocol)) as Record<string, unknown>
    t.same(back, { ...value, u8: Buffer.from([1, 2, 3]) }, `protocol ${protocol}`)
    t.equal(Object.getPrototypeOf(back), null, "a str-keyed dict has no prototype")
    t.ok(Buffer.isBuffer(back.u8), "bytes come back as a Buffer")
    t.type(back.big, "bigint")
    t.type(back.safeMax, "number")
  }
})

t.test("undefined becomes None, -0 an int and NaN stays NaN", async (t) => {
  for (const protocol of PROTOCOLS) {
    const back = loadPyobj(dumpPyobj([undefined, -0, NaN, 2 ** 53, 5n], protocol)) as unknown[]
    t.same(back.slice(0, 2), [null, 0])
    t.ok(Number.isNaN(back[2]))
    t.equal(back[3], 2 ** 53, "a number that is not a safe integer is a float")
    t.equal(back[4], 5, "a small bigint comes back as a number")
  }
})

t.test("a lone UTF-16 surrogate is kept, as Python's surrogatepass does", async (t) => {
  const text = "\ud800a\u{1f600}"
  t.same(dumpPyobj(text, 4), hex("8004950c000000000000008c08eda08061f09f9880942e"))
  for (const protocol of PROTOCOLS) t.equal(loadPyobj(dumpPyobj(text, protocol)), text)
})

t.test("the bytes written are the bytes Python writes", async (t) => {
  // pickle.dumps({'a': [1, -2**31-1, 2**64, 1.5, 'é😀', b'ab', b'', {1, 2}, {1: 'x'}, None, True]}, p)
  const value = {
    a: [
      1,
      -2147483649n,
      2n ** 64n,
      1.5,
      "é😀",
      Buffer.from("ab"),
      Buffer.alloc(0),
      new Set([1, 2]),
      new Map([[1, "x"]]),
      null,
      true,
    ],
  }
  const python: Record<number, string> = {
    2: "80027d710058010000006171015d7102284b018a05ffffff7fff8a09000000000000000001473ff80000000000005806000000c3a9f09f98807103635f636f646563730a656e636f64650a710458020000006162710558060000006c6174696e317106867107527108635f5f6275696c74696e5f5f0a62797465730a71092952710a635f5f6275696c74696e5f5f0a7365740a710b5d710c284b014b026585710d52710e7d710f4b015801000000787110734e8865732e",
    3: "80037d710058010000006171015d7102284b018a05ffffff7fff8a09000000000000000001473ff80000000000005806000000c3a9f09f9880710343026162710443007105636275696c74696e730a7365740a71065d7107284b014b02658571085271097d710a4b01580100000078710b734e8865732e",
    4: "8004954d000000000000007d948c0161945d94284b018a05ffffff7fff8a09000000000000000001473ff80000000000008c06c3a9f09f98809443026162944300948f94284b014b02907d944b018c017894734e8865732e",
    5: "8005954d000000000000007d948c0161945d94284b018a05ffffff7fff8a09000000000000000001473ff80000000000008c06c3a9f09f98809443026162944300948f94284b014b02907d944b018c017894734e8865732e",
  }
  for (const protocol of PROTOCOLS)
    t.same(dumpPyobj(value, protocol).toString("hex"), python[protocol], `protocol ${protocol}`)
  // Shared objects are written once and referenced, like Python's memo: l = [1]; [l, l]
  const shared = [1]
  t.equal(dumpPyobj([shared, shared], 2).toString("hex"), "80025d7100285d71014b01616801652e")
  // pickle.dumps([float('nan'), float('inf'), 1e300], 3)
  t.equal(
    dumpPyobj([NaN, Infinity, 1e300], 3).toString("hex"),
    "80035d710028477ff8000000000000477ff0000000000000477e37e43c8800759c652e",
  )
})

t.test("integers use the same opcodes as Python, from BININT1 to LONG4", async (t) => {
  const ints = [
    0,
    255,
    256,
    65535,
    65536,
    -1,
    2 ** 31 - 1,
    -(2 ** 31),
    2 ** 31,
    -(2 ** 31) - 1,
    2n ** 63n,
    -(2n ** 63n),
    2n ** 64n,
    -(2n ** 64n),
    2n ** 2100n,
  ]
  const head =
    "80025d7100284b004bff4d00014dffff4a000001004affffffff4affffff7f4a000000808a0500000080008a05ffffff7fff8a090000000000000080008a0800000000000000808a090000000000000000018a090000000000000000ff8b0701"
  const bytes = dumpPyobj(ints, 2)
  t.equal(bytes.subarray(0, head.length / 2).toString("hex"), head)
  t.equal(sha256(bytes), "9412fc122bfb887ecb38004513c67d2f25d99b5fdea390a0b0b23411c6a3d73f")
  t.same(
    loadPyobj(bytes),
    ints.map((n) => (typeof n === "bigint" && n >= -(2n ** 53n) && n <= 2n ** 53n ? Number(n) : n)),
  )
})

t.test("long containers are written in batches of 1000 items, as Python does", async (t) => {
  const list = Array.from({ length: 1001 }, (_, i) => i)
  const dict = Object.fromEntries(list.map((i) => [String(i), i]))
  const python: Record<number, [list: string, set: string, dict: string]> = {
    2: [
      "ce66e289147d5c0923016225d5d7c546d0f0061e438184a23c47db924e6cdbd5",
      "8f3617160e15e297cf5f6ccd0d6c997d280ae220e694509c56adcdab1341b3ca",
      "9c7fa6d0fd8a22243d33a186903f87efc6f54ddccff15bb1346a8620f56695b2",
    ],
    3: [
      "ce0b9982c4bae73c8c71c93244535f156e8a3800c3b89c81861ab8b87d83a57d",
      "bac1ea02057318f7654c2605f3343fbff189970782ca2a0f9527d67d512381b4",
      "1d0bfe9d857d1e60116232137416e213f75746d66e005960aa928b2fe049ffc1",
    ],
    4: [
      "161e50d7236aad5010f0600b7c2b669804f3487bdf69c03ddfd00718d290e1be",
      "cb322ecb5d03749e962384bbe18c7be3c0bb5303040582f8d3fc8f47c6e8e3fd",
      "7a41fd4c158a6d156ec593135e0295fc0b5ae6888eecc99b825ba80daf34087c",
    ],
    5: [
      "042a790993ee27d3e6e20a3124036d41c53202b67478aafa27ccf9a7c514ed92",
      "d430602f6cd0902af00791eba72aee25d788bd0f4e79c5f9ac0f6a3b42ec31af",
      "c10bb1ea91ffe4e948f27d9e669df400c81100bd57ef77a628e30940eadb9b2f",
    ],
  }
  for (const protocol of PROTOCOLS) {
    const [listHash, setHash, dictHash] = python[protocol]!
    t.equal(sha256(dumpPyobj(list, protocol)), listHash, `list, protocol ${protocol}`)
    t.equal(sha256(dumpPyobj(new Set(list), protocol)), setHash, `set, protocol ${protocol}`)
    t.equal(sha256(dumpPyobj(dict, protocol)), dictHash, `dict, protocol ${protocol}`)
  }
})

t.test("long str and bytes switch to 4-byte lengths like Python", async (t) => {
  t.equal(dumpPyobj("x".repeat(300), 4).subarray(0, 16).toString("hex"), "8004953301000000000000582c010000")
  t.equal(
    dumpPyobj(Buffer.alloc(300, "x"), 3).subarray(0, 16).toString("hex"),
    "8003422c010000787878787878787878",
  )
})

t.test("dumpPyobj refuses what Python pickle cannot hold as plain data", async (t) => {
  class Point {
    x = 1
  }
  t.throws(() => dumpPyobj(() => 1), { name: "TypeError", message: /^value is a function/ })
  t.throws(() => dumpPyobj({ a: [Symbol("s")] }), {
    name: "TypeError",
    message: /^value\.a\[0\] is a symbol/,
  })
  t.throws(() => dumpPyobj({ when: new Date(0) }), { name: "TypeError", message: /^value\.when is a Date/ })
  t.throws(() => dumpPyobj([new Point()]), { name: "TypeError", message: /^value\[0\] is a Point/ })
  t.throws(() => dumpPyobj(new Int16Array(2)), { name: "TypeError", message: /is an Int16Array/ })
  t.throws(() => dumpPyobj(new Map([[[1], 2]])), {
    name: "TypeError",
    message: /Map key that Python cannot hash \(an Array\)/,
  })
  t.throws(() => dumpPyobj(new Set([{}])), {
    name: "TypeError",
    message: /Set element that Python cannot hash/,
  })
  const cyclic: unknown[] = [1]
  cyclic.push({ back: cyclic })
  t.throws(() => dumpPyobj(cyclic), {
    name: "TypeError",
    message: /^value contains a cycle \(at value\[1\]\.back\)/,
  })
})

t.test("dumpPyobj refuses protocols 0, 1 and above 5, and nesting beyond 1000 levels", async (t) => {
  t.same(
    dumpPyobj({ a: [1] }, -1),
    dumpPyobj({ a: [1] }, 5),
    "a negative protocol means the highest, as in Python",
  )
  for (const protocol of [0, 1, 6, 2.5, NaN]) {
    t.throws(() => dumpPyobj(1, protocol as PickleProtocol), {
      name: "RangeError",
      message: /^protocol must be an integer from 2 to 5/,
    })
  }
  t.throws(() => dumpPyobj(1, "5" as never), { name: "TypeError", message: /^protocol/ })
  let deep: unknown = []
  for (let i = 1; i < 1000; i++) deep = [deep]
  t.doesNotThrow(() => loadPyobj(dumpPyobj(deep)), "1000 levels are fine both ways")
  t.throws(() => dumpPyobj([deep]), { name: "RangeError", message: /nested deeper than 1000/ })
})

t.test("a __proto__ key stays an own property and no prototype changes", async (t) => {
  const value = Object.fromEntries([
    ["__proto__", { polluted: true }],
    ["constructor", 1],
  ])
  for (const protocol of PROTOCOLS) {
    const back = loadPyobj(dumpPyobj(value, protocol)) as Record<string, unknown>
    t.equal(Object.getPrototypeOf(back), null)
    t.ok(Object.hasOwn(back, "__proto__"))
    t.same(back["__proto__"], { polluted: true })
    t.equal(({} as Record<string, unknown>)["polluted"], undefined, "Object.prototype is untouched")
  }
})

t.test("a dict with a non-str key becomes a Map, and every reference to it is that Map", async (t) => {
  // d = {1: 'a', 'b': 2}; pickle.dumps([d, d], 2)
  const d = new Map<unknown, unknown>([
    [1, "a"],
    ["b", 2],
  ])
  const back = loadPyobj(dumpPyobj([d, d], 2)) as unknown[]
  t.ok(back[0] instanceof Map)
  t.equal(back[0], back[1])
  t.same(
    [...(back[0] as Map<unknown, unknown>)],
    [
      [1, "a"],
      ["b", 2],
    ],
  )
  // Python writes the str key first here, then the int key: the object must turn into a Map.
  const later = loadPyobj(
    bin("\x80\x02}q\x00(X\x01\x00\x00\x00bK\x02K\x01X\x01\x00\x00\x00au]q\x01h\x00a\x86."),
  )
  t.ok((later as unknown[])[0] instanceof Map)
})

t.test("loadPyobj refuses globals other than the ones Python uses for plain data", async (t) => {
  t.throws(() => loadPyobj(bin("cos\nsystem\n(S'echo hi'\ntR.")), {
    message: /^loadPyobj: refusing global os\.system/,
  })
  t.throws(() => loadPyobj(bin("\x80\x04\x8c\x08builtins\x94\x8c\x04eval\x94\x93\x94\x8c\x011\x85R.")), {
    message: /^loadPyobj: refusing global builtins\.eval/,
  })
  t.throws(() => loadPyobj(bin("c__builtin__\ngetattr\n.")), {
    message: /refusing global __builtin__\.getattr/,
  })
  t.throws(() => loadPyobj(bin("\x80\x02c__builtin__\nset\n.")), {
    message: /refusing global __builtin__\.set as a value/,
  })
})

t.test("loadPyobj refuses REDUCE on anything but an allowed global with Python's arguments", async (t) => {
  t.throws(() => loadPyobj(bin("\x80\x02])R.")), { message: /refusing REDUCE on a list or tuple/ })
  t.throws(() => loadPyobj(bin("\x80\x02c__builtin__\nset\nK\x01\x85R.")), {
    message: /refusing __builtin__\.set called with/,
  })
  t.throws(() => loadPyobj(bin("\x80\x02c_codecs\nencode\nX\x01\x00\x00\x00aX\x05\x00\x00\x00utf-8\x86R.")), {
    message: /refusing _codecs\.encode called with/,
  })
  t.throws(() => loadPyobj(bin("\x80\x02c__builtin__\nset\n]R.")), { message: /needs an argument tuple/ })
})

t.test("loadPyobj refuses opcodes that build objects or need outside help", async (t) => {
  const cases: Array<[string, RegExp]> = [
    ["\x80\x02}}b.", /refusing opcode BUILD/],
    ["(i__main__\nC\n.", /refusing opcode INST/],
    ["(]o.", /refusing opcode OBJ/],
    ["\x80\x02]]\x81.", /refusing opcode NEWOBJ/],
    ["\x80\x04]])}\x92.", /refusing opcode NEWOBJ_EX/],
    ["Pid\n.", /refusing opcode PERSID/],
    ["\x80\x02K\x01Q.", /refusing opcode BINPERSID/],
    ["\x80\x02\x82\x01.", /refusing opcode EXT1/],
    ["\x80\x05\x97.", /refusing opcode NEXT_BUFFER/],
    ["\x80\x05\xff.", /unknown opcode 0xff at offset 2/],
    ["\x80\x06N.", /unsupported pickle protocol 6/],
  ]
  for (const [data, message] of cases) t.throws(() => loadPyobj(bin(data)), { message }, JSON.stringify(data))
})

t.test("every truncation of a valid pickle is reported as truncated", async (t) => {
  const value = { a: [1, 2n ** 70n, "héllo", Buffer.from("xy"), new Set([1]), 1.5], b: null }
  for (const protocol of PROTOCOLS) {
    const bytes = dumpPyobj(value, protocol)
    for (let n = 0; n < bytes.length; n++) {
      t.throws(() => loadPyobj(bytes.subarray(0, n)), { message: "loadPyobj: pickle data was truncated" })
    }
  }
})

t.test("malformed stacks and memo references are errors, not crashes", async (t) => {
  t.throws(() => loadPyobj(bin("\x80\x02a.")), { message: /stack underflow/ })
  t.throws(() => loadPyobj(bin("\x80\x02]e.")), { message: /could not find MARK/ })
  t.throws(() => loadPyobj(bin("\x80\x02h\x05.")), { message: /memo key 5 not found/ })
  t.throws(() => loadPyobj(bin("\x80\x02K\x01K\x02a.")), { message: /APPEND needs a list/ })
  t.throws(
    () => loadPyobj(bin("\x80\x02)K\x01a.")),
    { message: /APPEND needs a list/ },
    "a tuple cannot grow",
  )
})

t.test("recursive structures are refused", async (t) => {
  // a = [1]; a.append(a); pickle.dumps(a, 2)
  t.throws(() => loadPyobj(bin("\x80\x02]q\x00(K\x01h\x00e.")), { message: /recursive structure/ })
  // a = []; b = [a]; a.append(b)
  t.throws(() => loadPyobj(bin("\x80\x02]q\x00]q\x01h\x00ah\x00h\x01a.")), {
    message: /recursive structures are not supported/,
  })
})

t.test("nesting deeper than maxDepth and input larger than maxBytes are RangeErrors", async (t) => {
  const nested = (levels: number): Buffer => bin(`\x80\x02${"]".repeat(levels)}${"a".repeat(levels - 1)}.`)
  t.doesNotThrow(() => loadPyobj(nested(1000)))
  t.throws(() => loadPyobj(nested(1001)), {
    name: "RangeError",
    message: /nested deeper than maxDepth \(1000\)/,
  })
  t.throws(() => loadPyobj(nested(6), { maxDepth: 5 }), { name: "RangeError" })
  t.doesNotThrow(() => loadPyobj(nested(5), { maxDepth: 5 }))
  t.throws(() => loadPyobj(dumpPyobj("x".repeat(100)), { maxBytes: 50 }), {
    name: "RangeError",
    message: /more than maxBytes \(50\)/,
  })
  t.throws(() => loadPyobj(Buffer.alloc(64 * 1024 * 1024 + 1)), {
    name: "RangeError",
    message: /more than maxBytes/,
  })
  t.throws(() => loadPyobj(dumpPyobj(1), { maxDepth: 0 }), {
    name: "RangeError",
    message: /^options\.maxDepth/,
  })
  t.throws(() => loadPyobj(dumpPyobj(1), { maxBytes: "1" as unknown as number }), {
    name: "TypeError",
    message: /^options\.maxBytes/,
  })
  t.throws(() => loadPyobj(dumpPyobj(1), { max_depth: 5 } as never), {
    name: "TypeError",
    message: "options.max_depth is not a loadPyobj option (maxDepth, maxBytes)",
  })
})

t.test("loadPyobj takes a Buffer, a Uint8Array or a Frame, and nothing else", async (t) => {
  const bytes = dumpPyobj([1, "a"])
  t.same(loadPyobj({ buffer: bytes }), [1, "a"])
  t.same(loadPyobj(new Uint8Array(bytes) as Buffer), [1, "a"])
  t.throws(() => loadPyobj("x" as unknown as Buffer), {
    name: "TypeError",
    message: /^frame must be a Buffer or a Frame, got string/,
  })
  t.throws(() => loadPyobj(null as unknown as Buffer), { name: "TypeError", message: /got null/ })
})

t.test("protocol 0 and 1 text opcodes are read like Python reads them", async (t) => {
  t.same(
    loadPyobj(
      bin(
        "(lp0\nI01\naI00\naI-12\naL12345678901234567890L\naF1.5\naFinf\naS'a\\n\\x41'\naVx\\u00e9\\U0001f600\naNa.",
      ),
    ),
    [true, false, -12, 12345678901234567890n, 1.5, Infinity, "a\nA", "xé😀", null],
  )
  t.same(loadPyobj(bin("(dp0\nVk\np1\n(I1\nI2\ntp2\ns.")), { k: [1, 2] })
  t.same(loadPyobj(bin("c__builtin__\nbytearray\np0\n(Vab\nS'latin-1'\ntR.")), Buffer.from("ab"))
})

t.test("malformed pickles are refused with a message that names the problem", async (t) => {
  const cases: Array<[string, RegExp]> = [
    ["X\x01\x00\x00\x00\xff.", /invalid UTF-8 in str at byte 0/],
    ["X\x03\x00\x00\x00\xed\xa0.", /invalid UTF-8/],
    ["X\x04\x00\x00\x00\xed\xa0\x80\xc3.", /invalid UTF-8 in str at byte 3/],
    ["X\x05\x00\x00\x00\xed\xa0\x80\xc3A.", /invalid UTF-8 in str at byte 3/],
    ["X\x06\x00\x00\x00\xed\xa0\x80\xe0\x80\x80.", /invalid UTF-8 in str at byte 3/],
    ["X\x07\x00\x00\x00\xed\xa0\x80\xf4\x90\x80\x80.", /invalid UTF-8 in str at byte 3/],
    ["V\\U00110000\n.", /\\U escape out of range/],
    ["Sabc\n.", /STRING opcode argument must be quoted/],
    ["S'\n.", /must be quoted/],
    ["Iabc\n.", /bad INT argument "abc"/],
    [`L${"9".repeat(4301)}L\n.`, /LONG has more than 4300 digits/],
    ["Fabc\n.", /bad FLOAT argument "abc"/],
    ["F\n.", /bad FLOAT argument/],
    ["\x80\x04K\x01K\x02\x93.", /STACK_GLOBAL requires two str/],
    ["T\xff\xff\xff\xff.", /BINSTRING has a negative length/],
    ["\x80\x02(e.", /stack underflow/],
    ["\x80\x02\x86.", /stack underflow/],
    ["\x80\x02]c__builtin__\nset\na.", /refusing global __builtin__\.set as a value/],
    ["\x80\x02c__builtin__\nset\nK\x01a.", /APPEND needs a list below it, found __builtin__\.set/],
    ["\x80\x04(\x91(K\x01\x90.", /ADDITEMS needs a set below it, found a set/],
    ["\x80\x04](\x90.", /ADDITEMS needs a set below it, found a list or tuple/],
    ["\x80\x02]K\x01K\x02s.", /SETITEM needs a dict below it, found a list/],
    ["\x80\x02}(K\x01u.", /SETITEMS has an odd number of items/],
    ["\x80\x02}2K\x01K\x02s.", /dict with non-str keys that was referenced before it was complete/],
    ["\x80\x02N)R.", /REDUCE on None/],
    ["\x80\x02X\x01\x00\x00\x00a)R.", /REDUCE on a str/],
    ["\x80\x02})R.", /REDUCE on a dict/],
    ["\x80\x04\x8f)R.", /REDUCE on a set/],
    ["\x80\x03C\x00)R.", /REDUCE on bytes/],
    ["\x80\x02K\x01)R.", /REDUCE on a number/],
    ["\x80\x02c__builtin__\nbytes\nK\x01\x85R.", /refusing __builtin__\.bytes called with/],
    ["\x80\x02c__builtin__\nfrozenset\n)R.", /refusing __builtin__\.frozenset called with/],
    ["\x80\x02c__builtin__\nset\n)\x85R.", /refusing __builtin__\.set called with/],
    ["\x80\x02c__builtin__\nbytearray\nK\x01\x85R.", /refusing __builtin__\.bytearray called with/],
    ["\x80\x02c_codecs\nencode\nX\x02\x00\x00\x00\xc4\x80X\x06\x00\x00\x00latin1\x86R.", /not Latin-1 text/],
    ["\x80\x02c_codecs\nencode\nK\x01X\x06\x00\x00\x00latin1\x86R.", /refusing _codecs\.encode called with/],
  ]
  for (const [data, message] of cases) t.throws(() => loadPyobj(bin(data)), { message }, JSON.stringify(data))
  t.throws(() => loadPyobj(dumpPyobj(1), null as unknown as LoadPyobjOptions), {
    name: "TypeError",
    message: /^options must be an options object, got null/,
  })
  t.throws(() => loadPyobj(dumpPyobj(1), 5 as unknown as LoadPyobjOptions), {
    name: "TypeError",
    message: /^options must be an options object, got 5/,
  })
  t.throws(() => loadPyobj({} as Buffer), { name: "TypeError", message: /got Object/ })
})

t.test("rarely used encodings Python writes are read correctly", async (t) => {
  t.same(loadPyobj(bin("V\\\\u0041\n.")), "\\\\u0041", "an escaped backslash does not start an escape")
  t.same(loadPyobj(bin('S"a\\101\\q\\\'"\n.')), "aA\\q'")
  t.same(
    loadPyobj(bin("(U\x02abT\x01\x00\x00\x00\xe9l.")),
    ["ab", "é"],
    "Python 2 str is read as Latin-1 text",
  )
  t.equal(loadPyobj(bin("\x80\x02\x8a\x00.")), 0, "LONG1 with no bytes is 0")
  t.equal(loadPyobj(bin("\x80\x02\x8b\x01\x00\x00\x00\xff.")), -1, "LONG4")
  t.same(loadPyobj(bin("\x80\x05\x96\x01\x00\x00\x00\x00\x00\x00\x00z.")), Buffer.from("z"), "BYTEARRAY8")
  t.equal(loadPyobj(bin("\x80\x04\x8d\x01\x00\x00\x00\x00\x00\x00\x00z.")), "z", "BINUNICODE8")
  t.same(loadPyobj(bin("\x80\x04\x8e\x01\x00\x00\x00\x00\x00\x00\x00z.")), Buffer.from("z"), "BINBYTES8")
  t.same(loadPyobj(bin("\x80\x02]q\x00q\x01K\x01ah\x01.")), [1], "one object stored in two memo slots")
  t.same(loadPyobj(bin("\x80\x02](]01(0N.")), null, "POP and POP_MARK")
  t.same(
    loadPyobj(bin("\x80\x02}q\x00(X\x01\x00\x00\x00a]K\x01K\x02u0h\x00.")),
    new Map<unknown, unknown>([
      ["a", []],
      [1, 2],
    ]),
  )
  t.same(loadPyobj(bin("\x80\x02}K\x01K\x02s.")), new Map([[1, 2]]))
  t.same(
    loadPyobj(bin("\x80\x02c_codecs\nencode\nX\x02\x00\x00\x00\xc3\xa9X\x07\x00\x00\x00Latin-1\x86R.")),
    Buffer.from([0xe9]),
  )
  t.equal(loadPyobj(bin("X\x05\x00\x00\x00\xc3\xa9\xed\xa0\x80.")), "é\ud800")
})

t.test("dumpPyobj handles memo indexes past 255 and describes odd values in errors", async (t) => {
  const words = Array.from({ length: 300 }, (_, i) => `w${i}`)
  for (const protocol of PROTOCOLS)
    t.same(loadPyobj(dumpPyobj([...words, "w299"], protocol)), [...words, "w299"])
  t.throws(() => dumpPyobj([Object.create(Object.create(null))]), { message: /^value\[0\] is an object;/ })
  t.throws(() => dumpPyobj(new Set([new (class {})()])), { message: /cannot hash \(an object\)/ })
  t.throws(() => dumpPyobj(new Set([() => 1])), {
    message: /Set element that Python cannot hash \(a function\)/,
  })
  t.throws(() => dumpPyobj(new Map([[Buffer.from("k"), () => 1]])), {
    message: /^value\.get\(<bytes>\) is a function/,
  })
  t.throws(() => dumpPyobj(new Map([[5n, Symbol("s")]])), { message: /^value\.get\(5n\) is a symbol/ })
  t.same(loadPyobj(dumpPyobj(new Map([[Buffer.from("k"), 1]]))), new Map([[Buffer.from("k"), 1]]))
})
