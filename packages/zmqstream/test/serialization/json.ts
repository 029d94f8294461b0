// loadJson/dumpJson: pyzmq's recv_json/send_json (zmq.utils.jsonapi) frames.
import t from "tap"
import { runInNewContext } from "node:vm"
import { dumpJson, loadJson } from "../../src/serialization/json.js"

t.test("JSON values survive a round trip, non-ASCII text included", async (t) => {
  const value = {
    text: 'héllo wörld 😀 \u2028 "quoted"',
    n: [0, -1.5, 1e21],
    ok: true,
    none: null,
    nested: [{ a: [] }],
  }
  t.same(loadJson(dumpJson(value)), value)
  t.same(loadJson({ buffer: dumpJson(value) }), value, "a Frame is read like a Buffer")
})

t.test("dumpJson writes compact UTF-8, not \\u escapes", async (t) => {
  t.equal(
    dumpJson({ a: [1, 2], é: "😀" }).toString("hex"),
    Buffer.from('{"a":[1,2],"é":"😀"}', "utf8").toString("hex"),
  )
})

t.test("loadJson reads modern pyzmq's spaced output and Python's \\u escapes", async (t) => {
  // json.dumps({"a": [1, 2], "é": "😀"}).encode()
  t.same(loadJson(Buffer.from('{"a": [1, 2], "\\u00e9": "\\ud83d\\ude00"}')), { a: [1, 2], é: "😀" })
})

t.test("a __proto__ key from JSON is an own property and no prototype changes", async (t) => {
  const value = loadJson(Buffer.from('{"__proto__": {"polluted": true}}')) as Record<string, unknown>
  t.ok(Object.hasOwn(value, "__proto__"))
  t.equal(({} as Record<string, unknown>)["polluted"], undefined)
})

t.test("dumpJson refuses values JSON cannot represent, naming the problem", async (t) => {
  t.throws(() => dumpJson(1n), {
    name: "TypeError",
    message: "value is a bigint, which JSON cannot represent",
  })
  t.throws(() => dumpJson({ n: 2n }), {
    name: "TypeError",
    message: 'value contains a bigint at key "n", which JSON cannot represent',
  })
  t.throws(() => dumpJson({ f: () => 1 }), { name: "TypeError", message: /a function at key "f"/ })
  t.throws(() => dumpJson([Symbol("s")]), { name: "TypeError", message: /a symbol at key "0"/ })
  t.throws(() => dumpJson({ x: NaN }), { name: "TypeError", message: /NaN at key "x"/ })
  t.throws(() => dumpJson([-Infinity]), { name: "TypeError", message: /-Infinity/ })
  t.throws(() => dumpJson(undefined), {
    name: "TypeError",
    message: "value is undefined, which JSON cannot represent",
  })
  // JSON.stringify wrote these as {} or {"type":"Buffer",…}, where Python's json.dumps raises (a set, bytes).
  t.throws(() => dumpJson(new Map([[1, "x"]])), {
    name: "TypeError",
    message: "value is a Map, which JSON cannot represent",
  })
  t.throws(() => dumpJson({ tags: new Set([1]) }), { name: "TypeError", message: /a Set at key "tags"/ })
  t.throws(() => dumpJson([Buffer.from("x")]), {
    name: "TypeError",
    message: 'value contains binary data (Buffer) at key "0", which JSON cannot represent',
  })
  t.throws(() => dumpJson({ u: new Uint8Array(2) }), {
    name: "TypeError",
    message: /binary data \(Uint8Array\)/,
  })
  t.throws(() => dumpJson(new ArrayBuffer(1)), { name: "TypeError", message: /binary data \(ArrayBuffer\)/ })
  t.same(
    JSON.parse(dumpJson({ when: new Date(0) }).toString()),
    { when: "1970-01-01T00:00:00.000Z" },
    "a Date: toJSON",
  )
  t.throws(
    () => dumpJson({ a: { toJSON: () => new Set([1]) } }),
    { message: /a Set at key "a"/ },
    "from a toJSON",
  )
  t.throws(
    () => dumpJson(runInNewContext("new Map([[1, 2]])")),
    { message: /^value is a Map/ },
    "another realm's",
  )
  t.throws(() => dumpJson([new SharedArrayBuffer(4)]), { message: /binary data \(SharedArrayBuffer\)/ })
  t.throws(
    () =>
      dumpJson({
        get value() {
          return Buffer.from("x")
        },
      }),
    { message: /binary data \(Buffer\) at key "value"/ },
  )
  let reads = 0
  dumpJson({
    get n() {
      reads++
      return 1
    },
  })
  t.equal(reads, 1, "a getter runs once")
  t.same(
    JSON.parse(dumpJson({ type: "Buffer", data: [1] }).toString()),
    { type: "Buffer", data: [1] },
    "an object shaped like a Buffer's JSON is no Buffer",
  )
  const cyclic: Record<string, unknown> = {}
  cyclic.self = cyclic
  t.throws(() => dumpJson(cyclic), { name: "TypeError", message: /^value contains a cycle/ })
})

t.test("loadJson reads Python's NaN, Infinity and -Infinity tokens, as json.loads does", async (t) => {
  const value = loadJson(Buffer.from('{"a": NaN, "b": [Infinity, -Infinity], "c": "NaN \\" Infinity"}'))
  t.same(value, { a: NaN, b: [Infinity, -Infinity], c: 'NaN " Infinity' })
  t.throws(() => loadJson(Buffer.from("[NaN, nope]")), { name: "SyntaxError" }, "still JSON otherwise")
  t.throws(
    () => loadJson(Buffer.from("{NaN: 1}")),
    { name: "SyntaxError" },
    "not as a key, as Python refuses it",
  )
  t.same(
    loadJson(Buffer.from('\ufeff{"a": NaN}')),
    { a: NaN },
    "after a UTF-8 byte order mark, as json.loads reads bytes",
  )
  t.same(loadJson(Buffer.from("\ufeff[1]")), [1])
  // An unclosed string, in one pass: scanning it again from each quote took minutes for a frame this size.
  t.throws(
    () => loadJson(Buffer.from('"' + '\\"'.repeat(500_000))),
    { name: "SyntaxError" },
    "1 MB of escaped quotes",
  )
  t.throws(() => loadJson(Buffer.from('["' + '\\"x'.repeat(300_000))), { name: "SyntaxError" })
})

t.test("loadJson rejects bad input with the right error type", async (t) => {
  t.throws(() => loadJson(Buffer.from("{nope")), { name: "SyntaxError" })
  t.throws(() => loadJson("{}" as unknown as Buffer), {
    name: "TypeError",
    message: /^frame must be a Buffer or a Frame/,
  })
})
