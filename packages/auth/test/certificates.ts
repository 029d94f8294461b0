// Certificate files: createCertificates, loadCertificate, loadCertificates, and the same files read and
// written by pyzmq's zmq.auth (Debian's python3-zmq through /usr/bin/python3). Ported: pyzmq
// zmq/tests/test_auth.py (test_create_certs, test_load_certs).
import t from "tap"
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as zmq from "zeromq"
import { createCertificates, loadCertificate, loadCertificates } from "../src/index.js"
import { pyzmqSkipReason, runPython } from "./helpers/python.js"

const Z85_KEY = /^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/

t.test("createCertificates writes <name>.key and <name>.key_secret and returns their paths", async (t) => {
  const dir = t.testdir()
  const [publicFile, secretFile] = createCertificates(dir, "server", { owner: "ops team" })
  t.equal(publicFile, join(dir, "server.key"))
  t.equal(secretFile, join(dir, "server.key_secret"))
  const pub = loadCertificate(publicFile)
  const secret = loadCertificate(secretFile)
  t.match(pub.publicKey, Z85_KEY)
  t.equal(pub.secretKey, null, "the public file holds no secret key")
  t.equal(secret.publicKey, pub.publicKey)
  t.match(secret.secretKey, Z85_KEY)

  const publicText = readFileSync(publicFile, "utf8")
  t.match(
    publicText,
    /^# {3}\*{4} {2}Generated on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} by @zmq-eventloop\/auth/,
  )
  t.match(publicText, `\nmetadata\ncurve\n    public-key = "${pub.publicKey}"\n`)
  t.notMatch(publicText, /secret-key|owner/)
  t.match(readFileSync(secretFile, "utf8"), `\nmetadata\n    owner = ops team\ncurve\n    public-key = "`)
  t.match(readFileSync(secretFile, "utf8"), `    secret-key = "${secret.secretKey}"\n`)
})

t.test("the secret file is readable by its owner only, even when it existed before", async (t) => {
  const dir = t.testdir({ "client.key_secret": "old" })
  chmodSync(join(dir, "client.key_secret"), 0o644)
  const [, secretFile] = createCertificates(new URL(`file://${dir}/`), "client")
  t.equal(statSync(secretFile).mode & 0o777, 0o600)
  t.not(readFileSync(secretFile, "utf8"), "old", "overwritten")
})

t.test("the keys loaded are the ones zeromq.js's CURVE options take", async (t) => {
  const [, secretFile] = createCertificates(t.testdir(), "server")
  const { publicKey, secretKey } = loadCertificate(secretFile)
  t.doesNotThrow(() =>
    new zmq.Router({ curveServer: true, curvePublicKey: publicKey, curveSecretKey: secretKey! }).close(),
  )
})

t.test("loadCertificates gives the public keys of the *.key files directly in the directory", async (t) => {
  const dir = t.testdir({ "notes.txt": "not a certificate", "nested.key": {}, sub: {} })
  const [aliceFile] = createCertificates(dir, "alice")
  createCertificates(dir, "bob")
  createCertificates(dir, ".hidden") // pyzmq's glob("*.key") skips hidden files
  createCertificates(join(dir, "sub"), "carol")
  const keys = loadCertificates(dir)
  t.type(keys, Set)
  t.same(
    [...keys].sort(),
    [loadCertificate(aliceFile).publicKey, loadCertificate(join(dir, "bob.key")).publicKey].sort(),
  )
  t.same(loadCertificates(t.testdir()), new Set(), "an empty directory gives an empty set")
})

t.test("loadCertificate reads czmq-style variations: quotes, tabs, CRLF, comments", async (t) => {
  const { publicKey, secretKey } = zmq.curveKeyPair()
  const dir = t.testdir({
    "czmq.key_secret": [
      "#   ZeroMQ CURVE **Secret** Certificate",
      '#   public-key = "this comment is not a key"',
      "metadata",
      '    name = "czmq"',
      "curve",
      `\tpublic-key = '${publicKey}'`,
      `    secret-key=${secretKey}`,
      "",
    ].join("\r\n"),
  })
  t.same(loadCertificate(join(dir, "czmq.key_secret")), { publicKey, secretKey })
})

t.test("a file without a public key, or with a malformed key, is an Error naming the file", async (t) => {
  const { publicKey } = zmq.curveKeyPair()
  const dir = t.testdir({
    "empty.key": "metadata\ncurve\n",
    "short.key": 'curve\n    public-key = "abc"\n',
    "bad-secret.key_secret": `curve\n    public-key = "${publicKey}"\n    secret-key = "${"~".repeat(40)}"\n`,
  })
  t.throws(
    () => loadCertificate(join(dir, "empty.key")),
    new Error(`${join(dir, "empty.key")}: no public key found`),
  )
  t.throws(() => loadCertificate(join(dir, "short.key")), {
    message: `${join(dir, "short.key")}: public-key is not a 40-character Z85 key, got 'abc'`,
  })
  t.throws(() => loadCertificate(join(dir, "bad-secret.key_secret")), {
    message: /: secret-key is not a 40-character/,
  })
  t.throws(() => loadCertificate(join(dir, "missing.key")), { code: "ENOENT" })
  t.throws(() => loadCertificates(join(dir, "empty.key")), { code: "ENOTDIR" })
  t.throws(
    () => loadCertificates(dir),
    { message: /empty\.key: no public key found/ },
    "loadCertificates reports it",
  )
})

const skip = pyzmqSkipReason

t.test(
  "pyzmq's load_certificate and load_certificates read what createCertificates writes",
  { skip },
  async (t) => {
    const dir = t.testdir()
    const [publicFile, secretFile] = createCertificates(dir, "node", { role: "client" })
    const ours = loadCertificate(secretFile)
    const read = JSON.parse(
      runPython(
        [
          "import json, sys, zmq.auth",
          "public_file, secret_file, directory = json.load(sys.stdin)",
          "pub, none = zmq.auth.load_certificate(public_file)",
          "pub2, sec = zmq.auth.load_certificate(secret_file)",
          "keys = [k.decode() for k in zmq.auth.load_certificates(directory)]",
          "print(json.dumps([pub.decode(), none, pub2.decode(), sec.decode(), keys]))",
        ].join("\n"),
        JSON.stringify([publicFile, secretFile, dir]),
      ),
    ) as unknown[]
    t.same(read, [ours.publicKey, null, ours.publicKey, ours.secretKey, [ours.publicKey]])
  },
)

t.test(
  "loadCertificate and loadCertificates read what pyzmq's create_certificates writes",
  { skip },
  async (t) => {
    const dir = t.testdir({ keys: {} })
    const made = JSON.parse(
      runPython(
        [
          "import json, sys, zmq.auth",
          "pub_file, sec_file = zmq.auth.create_certificates(json.load(sys.stdin), 'py', metadata={'owner': 'pyzmq'})",
          "pub, sec = zmq.auth.load_certificate(sec_file)",
          "print(json.dumps([pub_file, sec_file, pub.decode(), sec.decode()]))",
        ].join("\n"),
        JSON.stringify(join(dir, "keys")),
      ),
    ) as [string, string, string, string]
    const [publicFile, secretFile, publicKey, secretKey] = made
    t.same(loadCertificate(publicFile), { publicKey, secretKey: null })
    t.same(loadCertificate(secretFile), { publicKey, secretKey })
    t.same(loadCertificates(join(dir, "keys")), new Set([publicKey]))
    mkdirSync(join(dir, "more"))
    writeFileSync(join(dir, "more", "copy.key"), readFileSync(publicFile))
    t.same(loadCertificates(join(dir, "more")), new Set([publicKey]), "a copied public file reads the same")
  },
)
