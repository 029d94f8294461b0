// Cross-checks dumpPyobj/loadPyobj and dumpJson/loadJson against CPython's pickle and json modules
// (the library pyzmq's send_pyobj/recv_pyobj and send_json/recv_json call), through /usr/bin/python3.
import t from "tap"
import { dumpJson, loadJson } from "../../src/serialization/json.js"
import { dumpPyobj } from "../../src/serialization/pickle.js"
import { loadPyobj } from "../../src/serialization/unpickle.js"
import { pythonSkipReason, runPython } from "../helpers/python.js"

const skip = pythonSkipReason ?? false

// The same value in JavaScript and as a Python literal.
const jsValue = {
  int: 7,
  neg: -5,
  i32: -2147483648,
  big: 2n ** 70n,
  negbig: -(2n ** 70n),
  float: 1.25,
  inf: -Infinity,
  str: "héllo wörld",
  astral: "😀 𝄞",
  lone: "\ud800",
  empty: "",
  bytes: Buffer.from([0, 255, 97]),
  noBytes: Buffer.alloc(0),
  none: null,
  undef: undefined,
  t: true,
  f: false,
  list: [1, [2, [3, []]]],
  set: new Set([1, "a"]),
  emptySet: new Set(),
  map: new Map<unknown, unknown>([
    [1, "one"],
    ["k", [true]],
    [2n ** 64n, null],
  ]),
  ["__proto__"]: { x: 1 },
}
const pyValue = `{
  "int": 7, "neg": -5, "i32": -2**31, "big": 2**70, "negbig": -2**70, "float": 1.25, "inf": float("-inf"),
  "str": "héllo wörld", "astral": "😀 𝄞", "lone": "\\ud800", "empty": "",
  "bytes": b"\\x00\\xffa", "noBytes": b"", "none": None, "undef": None, "t": True, "f": False,
  "list": [1, [2, [3, []]]], "set": {1, "a"}, "emptySet": set(),
  "map": {1: "one", "k": [True], 2**64: None},
  "__proto__": {"x": 1},
}`

t.test("Python's pickle.loads reads what dumpPyobj writes, protocols 2 to 5", { skip }, async (t) => {
  const input = ([2, 3, 4, 5] as const).map((p) => `${p} ${dumpPyobj(jsValue, p).toString("hex")}`).join("\n")
  const out = runPython(
    `import pickle, sys
expected = ${pyValue}
for line in sys.stdin:
    p, data = line.split()
    v = pickle.loads(bytes.fromhex(data))
    types_ok = type(v["bytes"]) is bytes and type(v["set"]) is set and type(v["big"]) is int \\
        and type(v["t"]) is bool and type(v["float"]) is float and type(v["map"]) is dict
    print(p, "ok" if v == expected and types_ok else "mismatch " + repr(v))
`,
    input,
  )
  t.equal(out, "2 ok\n3 ok\n4 ok\n5 ok\n")
})

t.test("loadPyobj reads what Python's pickle.dumps writes, protocols 0 to 5", { skip }, async (t) => {
  const out = runPython(`import pickle
value = {
  "int": 7, "neg": -5, "i32": -2**31, "u32": 2**31, "big": 2**70, "negbig": -2**70, "float": 1.25,
  "negfloat": -0.5, "inf": float("inf"), "str": "héllo wörld \\\\ \\n", "astral": "😀 𝄞", "empty": "",
  "bytes": b"\\x00\\xffab", "noBytes": b"", "bytearray": bytearray(b"xyz"), "noBytearray": bytearray(),
  "none": None, "t": True, "f": False,
  "list": [1, [2, [3, []]]], "tuple": (1, "two", (3.0,)), "emptyTuple": (), "emptyList": [], "emptyDict": {},
  "set": {1, 2, 3}, "frozenset": frozenset({"a"}), "emptySet": set(), "emptyFrozenset": frozenset(),
  "intKeys": {1: "one", 2: "two"}, "__proto__": {"polluted": True},
}
for p in range(6):
    print(p, pickle.dumps(value, protocol=p).hex())
`)
  const lines = out.trim().split("\n")
  t.equal(lines.length, 6)
  for (const line of lines) {
    const [protocol, data] = line.split(" ")
    const v = loadPyobj(Buffer.from(data!, "hex")) as Record<string, unknown>
    t.same(
      v,
      {
        int: 7,
        neg: -5,
        i32: -2147483648,
        u32: 2147483648,
        big: 2n ** 70n,
        negbig: -(2n ** 70n),
        float: 1.25,
        negfloat: -0.5,
        inf: Infinity,
        str: "héllo wörld \\ \n",
        astral: "😀 𝄞",
        empty: "",
        bytes: Buffer.from([0, 255, 97, 98]),
        noBytes: Buffer.alloc(0),
        bytearray: Buffer.from("xyz"),
        noBytearray: Buffer.alloc(0),
        none: null,
        t: true,
        f: false,
        list: [1, [2, [3, []]]],
        tuple: [1, "two", [3]],
        emptyTuple: [],
        emptyList: [],
        emptyDict: {},
        set: new Set([1, 2, 3]),
        frozenset: new Set(["a"]),
        emptySet: new Set(),
        emptyFrozenset: new Set(),
        intKeys: new Map([
          [1, "one"],
          [2, "two"],
        ]),
        ["__proto__"]: { polluted: true },
      },
      `protocol ${protocol}`,
    )
    t.equal(Object.getPrototypeOf(v), null)
    t.ok(Object.hasOwn(v, "__proto__"), `protocol ${protocol}: __proto__ is an own key`)
    t.ok(Buffer.isBuffer(v.bytes) && Buffer.isBuffer(v.bytearray))
    t.ok(v.intKeys instanceof Map && v.set instanceof Set && v.frozenset instanceof Set)
  }
  t.equal(({} as Record<string, unknown>)["polluted"], undefined, "Object.prototype is untouched")
})

t.test("loadPyobj reads Python's shared references and large containers", { skip }, async (t) => {
  const out = runPython(`import pickle
shared = [1, "s"]
value = {"a": shared, "b": shared, "many": list(range(2500)), "s": set(range(1500)), "d": {str(i): i for i in range(1200)}}
for p in range(2, 6):
    print(pickle.dumps(value, protocol=p).hex())
`)
  for (const line of out.trim().split("\n")) {
    const v = loadPyobj(Buffer.from(line, "hex")) as Record<string, unknown>
    t.equal(v.a, v.b, "one Python object is one JavaScript object")
    t.equal((v.many as number[]).length, 2500)
    t.equal((v.s as Set<number>).size, 1500)
    t.equal(Object.keys(v.d as object).length, 1200)
  }
})

t.test(
  "Python's json.loads reads what dumpJson writes, and loadJson reads json.dumps",
  { skip },
  async (t) => {
    const value = { text: "héllo 😀 \u2028", n: [1, -2.5, 1e21], nested: { ok: true, none: null } }
    const out = runPython(
      `import json, sys
v = json.loads(sys.stdin.buffer.read())
assert v == {"text": "héllo 😀 \\u2028", "n": [1, -2.5, 1e21], "nested": {"ok": True, "none": None}}, v
sys.stdout.write(json.dumps(v))
`,
      dumpJson(value),
    )
    t.same(loadJson(Buffer.from(out, "utf8")), value)
  },
)

t.test("loadJson reads the NaN and infinities Python's json.dumps writes for floats", { skip }, async (t) => {
  const out = runPython(
    `import json, sys
sys.stdout.write(json.dumps({"nan": float("nan"), "inf": [float("inf"), -float("inf")], "text": "NaN Infinity"}))
`,
  )
  const value = loadJson(Buffer.from(out, "utf8")) as { nan: number; inf: number[]; text: string }
  t.ok(Number.isNaN(value.nan), "NaN")
  t.same(value.inf, [Infinity, -Infinity], "Infinity, -Infinity")
  t.equal(value.text, "NaN Infinity", "the same words inside a string stay words")
})
