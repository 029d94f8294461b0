// Bad input to every public function: a TypeError or RangeError thrown at the call, whose message starts
// with the argument's name and shows the value received; nothing is changed or written.
import t from "tap"
import { readdirSync } from "node:fs"
import * as zmq from "zeromq"
import { IOLoop } from "@zmq-eventloop/ioloop"
import {
  createCertificates,
  IOLoopAuthenticator,
  loadCertificate,
  loadCertificates,
  type CredentialsProvider,
} from "../src/index.js"

const loop = new IOLoop({ makeCurrent: false })
const context = new zmq.Context()
const auth = new IOLoopAuthenticator(context, loop)
const dir = t.testdir()
t.teardown(() => loop.close())

const cases: [
  call: string,
  run: () => unknown,
  error: TypeErrorConstructor | RangeErrorConstructor,
  message: string,
][] = [
  [
    "new IOLoopAuthenticator(context)",
    () => new IOLoopAuthenticator({} as never),
    TypeError,
    "context must be a zeromq.js Context, got {}",
  ],
  [
    "new IOLoopAuthenticator(_, ioLoop)",
    () => new IOLoopAuthenticator(null, "loop" as never),
    TypeError,
    "ioLoop must be an IOLoop, got 'loop'",
  ],
  [
    "new IOLoopAuthenticator(_, _, options)",
    () => new IOLoopAuthenticator(null, loop, 5 as never),
    TypeError,
    "options must be an options object, got 5",
  ],
  [
    "new IOLoopAuthenticator(_, _, { encodng })",
    () => new IOLoopAuthenticator(null, loop, { encodng: "latin1" } as never),
    TypeError,
    "options.encodng is not an IOLoopAuthenticator option (encoding, logger)",
  ],
  [
    "options.encoding",
    () => new IOLoopAuthenticator(null, loop, { encoding: "ebcdic" as never }),
    TypeError,
    "options.encoding must be a Buffer encoding, got 'ebcdic'",
  ],
  [
    "options.logger",
    () => new IOLoopAuthenticator(null, loop, { logger: { error() {} } as never }),
    TypeError,
    "options.logger must have error, warn, info and debug methods, got { error: [Function: error] }",
  ],
  [
    "allow(address)",
    () => auth.allow("127.0.0.1", 42 as never),
    TypeError,
    "addresses[1] must be a string, got 42",
  ],
  ["deny(address)", () => auth.deny(null as never), TypeError, "addresses[0] must be a string, got null"],
  [
    "configurePlain(domain)",
    () => auth.configurePlain(7 as never, {}),
    TypeError,
    "domain must be a string, got 7",
  ],
  [
    "configurePlain(_, passwords) null",
    () => auth.configurePlain("*", null as never),
    TypeError,
    "passwords must be a Map or a plain object of strings, got null",
  ],
  [
    "configurePlain(_, passwords) array",
    () => auth.configurePlain("*", ["pw"] as never),
    TypeError,
    "passwords must be a Map or a plain object of strings, got [ 'pw' ]",
  ],
  [
    "configurePlain(_, passwords) value",
    () => auth.configurePlain("*", { admin: 1 } as never),
    TypeError,
    'passwords["admin"] must be a string, got 1',
  ],
  [
    "configurePlain(_, passwords) Map value",
    () => auth.configurePlain("*", new Map([["admin", true]]) as never),
    TypeError,
    'passwords["admin"] must be a string, got true',
  ],
  [
    "configurePlain(_, passwords) Map key",
    () => auth.configurePlain("*", new Map([[1, "pw"]]) as never),
    TypeError,
    "passwords key must be a string, got 1",
  ],
  [
    "configureCurve(domain)",
    () => auth.configureCurve(null as never, dir),
    TypeError,
    "domain must be a string, got null",
  ],
  [
    "configureCurve(_, location)",
    () => auth.configureCurve("*", 42 as never),
    TypeError,
    "location must be a non-empty path string or a file: URL, got 42",
  ],
  [
    "configureCurve(_, location) empty",
    () => auth.configureCurve("*", ""),
    TypeError,
    "location must be a non-empty path string or a file: URL, got ''",
  ],
  [
    "configureCurveCallback(domain)",
    () => auth.configureCurveCallback(1 as never, { callback: () => true }),
    TypeError,
    "domain must be a string, got 1",
  ],
  [
    "configureCurveCallback(_, provider) function",
    () => auth.configureCurveCallback("*", (() => true) as never),
    TypeError,
    "provider must be an object with a callback(domain, key) method, got [Function (anonymous)]",
  ],
  [
    "configureCurveCallback(_, provider) empty",
    () => auth.configureCurveCallback("*", {} as CredentialsProvider),
    TypeError,
    "provider must be an object with a callback(domain, key) method, got {}",
  ],
  [
    "curveUserId(key)",
    () => auth.curveUserId(Buffer.alloc(31)),
    TypeError,
    "clientPublicKey must be a 32-byte Buffer, got <Buffer",
  ],
  [
    "createCertificates(keyDir)",
    () => createCertificates(42 as never, "x"),
    TypeError,
    "keyDir must be a non-empty path string or a file: URL, got 42",
  ],
  [
    "createCertificates(_, name)",
    () => createCertificates(dir, 42 as never),
    TypeError,
    "name must be a string, got 42",
  ],
  [
    "createCertificates(_, name) empty",
    () => createCertificates(dir, ""),
    RangeError,
    `name must be a file name without "/", "\\" or NUL, got ''`,
  ],
  [
    "createCertificates(_, name) path",
    () => createCertificates(dir, "../x"),
    RangeError,
    `name must be a file name without "/", "\\" or NUL, got '../x'`,
  ],
  [
    "createCertificates(_, _, metadata)",
    () => createCertificates(dir, "x", "owner" as never),
    TypeError,
    "metadata must be a Map or a plain object of strings, got 'owner'",
  ],
  [
    "createCertificates(_, _, metadata) value",
    () => createCertificates(dir, "x", { owner: 5 } as never),
    TypeError,
    'metadata["owner"] must be a string, got 5',
  ],
  [
    "createCertificates(_, _, metadata) name",
    () => createCertificates(dir, "x", { "a = b": "c" }),
    RangeError,
    `metadata names must be words without "=" or "#", got 'a = b'`,
  ],
  [
    "createCertificates(_, _, metadata) line",
    () => createCertificates(dir, "x", { owner: "a\nb" }),
    RangeError,
    `metadata["owner"] must be one line, got 'a\\nb'`,
  ],
  [
    "loadCertificate(path)",
    () => loadCertificate(undefined as never),
    TypeError,
    "path must be a non-empty path string or a file: URL, got undefined",
  ],
  [
    "loadCertificates(directory)",
    () => loadCertificates({} as never),
    TypeError,
    "directory must be a non-empty path string or a file: URL, got {}",
  ],
]

for (const [call, run, error, message] of cases) {
  t.test(`${call}: ${error.name} "${message}"`, async (t) => {
    t.throws(run, {
      name: error.name,
      message: new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`),
    })
  })
}

t.test("bad input changed nothing: no file written, no policy set", async (t) => {
  t.same(readdirSync(dir), [])
  auth.start()
  const req = new zmq.Request({ context })
  req.connect("inproc://zeromq.zap.01")
  const running = loop.start()
  await req.send(["1.0", "1", "", "127.0.0.1", "", "NULL"])
  const [, , code] = await req.receive()
  t.equal(String(code), "200", "no address list was set by the refused allow()")
  req.close()
  await auth.stop()
  loop.stop()
  await running
})
