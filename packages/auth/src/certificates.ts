// CURVE certificate files in czmq's format, the one pyzmq's zmq.auth.certs reads and writes: `#` comment
// lines, a `metadata` section of `    name = value` lines, and a `curve` section holding
// `    public-key = "<Z85>"` (and, in the secret file, `    secret-key = "<Z85>"`).
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { curveKeyPair } from "zeromq"
import { describeValue } from "@zmq-eventloop/ioloop/internal"
import { stringTableEntries, type StringTable } from "./string-table.js"
import { checkString, toPath } from "./validate.js"
import { isZ85Key } from "./z85.js"

/** The keys of a certificate file, as 40-character Z85 strings (the form zeromq.js's socket options take). */
export interface Certificate {
  /** The public key (`public-key`). */
  publicKey: string
  /** The secret key (`secret-key`), or `null` for a public certificate. */
  secretKey: string | null
}

const PUBLIC_KEY_SUFFIX = ".key"
const SECRET_KEY_SUFFIX = ".key_secret"

/** `2024-05-01 09:30:00.250000`: local time, as Python's `str(datetime.now())` writes it. */
function generatedOn(now: Date): string {
  const pad = (value: number, width = 2) => String(value).padStart(width, "0")
  const date = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`
  const time = `${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`
  return `${date} ${time}.${pad(now.getMilliseconds() * 1000, 6)}`
}

function certificateText(
  kind: "public" | "secret",
  now: Date,
  keys: Certificate,
  metadata: [string, string][],
): string {
  const banner =
    kind === "public"
      ? ["ZeroMQ CURVE Public Certificate", "Exchange it securely, or check its contents after the exchange."]
      : ["ZeroMQ CURVE **Secret** Certificate", "Keep it to yourself: never give this file to anyone else."]
  const lines = [
    `#   ****  Generated on ${generatedOn(now)} by @zmq-eventloop/auth  ****`,
    ...banner.map((line) => `#   ${line}`),
    "",
    "metadata",
    ...metadata.map(([name, value]) => `    ${name} = ${value}`),
    "curve",
    `    public-key = "${keys.publicKey}"`,
  ]
  if (keys.secretKey !== null) lines.push(`    secret-key = "${keys.secretKey}"`)
  return lines.join("\n") + "\n"
}

/** The metadata entries, refused when they would break the file's line format. */
function metadataEntries(metadata: unknown): [string, string][] {
  const entries = stringTableEntries("metadata", metadata)
  for (const [name, value] of entries) {
    if (!/^[^\s=#]+$/.test(name)) {
      throw new RangeError(`metadata names must be words without "=" or "#", got ${describeValue(name)}`)
    }
    if (/[\r\n]/.test(value)) {
      throw new RangeError(`metadata[${JSON.stringify(name)}] must be one line, got ${describeValue(value)}`)
    }
  }
  return entries
}

/**
 * Creates a new CURVE key pair (zeromq.js's `curveKeyPair()`) and writes it as two certificate files in
 * `keyDir`: `<name>.key` with the public key, and `<name>.key_secret` with both keys and the `metadata`
 * (mode 0600: readable by its owner only). Existing files of those names are overwritten. The files are
 * written synchronously (a set-up step, like pyzmq's), in the format pyzmq's `zmq.auth.load_certificate`
 * and czmq read. (pyzmq `zmq.auth.create_certificates(key_dir, name, metadata=None)`)
 *
 * @returns The paths of the public and the secret certificate files, in that order.
 * @throws TypeError/RangeError for bad arguments; the file system's error (`ENOENT` …) when writing fails.
 *
 * @example
 * ```ts
 * const [serverPublicFile, serverSecretFile] = createCertificates(keysDir, "server")
 * ```
 */
export function createCertificates(
  keyDir: string | URL,
  name: string,
  metadata: StringTable = {},
): [publicKeyFile: string, secretKeyFile: string] {
  const dir = toPath("keyDir", keyDir)
  checkString("name", name)
  if (name === "" || /[/\\\0]/.test(name)) {
    throw new RangeError(`name must be a file name without "/", "\\" or NUL, got ${describeValue(name)}`)
  }
  const entries = metadataEntries(metadata)
  const keys = curveKeyPair()
  const now = new Date()
  const publicKeyFile = join(dir, name + PUBLIC_KEY_SUFFIX)
  const secretKeyFile = join(dir, name + SECRET_KEY_SUFFIX)
  writeFileSync(publicKeyFile, certificateText("public", now, { ...keys, secretKey: null }, []))
  writeFileSync(secretKeyFile, certificateText("secret", now, keys, entries), { mode: 0o600 })
  // The mode above applies to a new file only; an old secret file keeps its own unless changed here.
  chmodSync(secretKeyFile, 0o600)
  return [publicKeyFile, secretKeyFile]
}

/** The value of a `public-key = "…"` line: after the first `=`, without blanks and quotes around it. */
function keyValue(line: string): string {
  return line
    .slice(line.indexOf("=") + 1)
    .replace(/^[\s'"]+/, "")
    .replace(/[\s'"]+$/, "")
}

/**
 * Reads the keys of a certificate file (`.key` or `.key_secret`, pyzmq's or czmq's): the `public-key` and,
 * if present, the `secret-key` line; comments (`#`) are skipped. Synchronous. (pyzmq
 * `zmq.auth.load_certificate(filename)`, which returns the tuple `(public_key, secret_key)` of bytes)
 *
 * @returns `{ publicKey, secretKey }`, Z85 strings; `secretKey` is `null` for a public certificate.
 * @throws TypeError for a bad path; the file system's error (`ENOENT` …); Error naming the file when it has
 * no public key or a key that is not 40 Z85 characters.
 *
 * @example
 * ```ts
 * const { publicKey, secretKey } = loadCertificate(serverSecretFile)
 * const server = new zmq.Router({ curveServer: true, curvePublicKey: publicKey, curveSecretKey: secretKey! })
 * ```
 */
export function loadCertificate(path: string | URL): Certificate {
  const file = toPath("path", path)
  let publicKey: string | null = null
  let secretKey: string | null = null
  for (const rawLine of readFileSync(file, "utf8").split("\n")) {
    const line = rawLine.trim()
    if (line.startsWith("#")) continue
    if (line.startsWith("public-key")) publicKey = keyValue(line)
    else if (line.startsWith("secret-key")) secretKey = keyValue(line)
    if (publicKey !== null && secretKey !== null) break
  }
  if (publicKey === null) throw new Error(`${file}: no public key found`)
  for (const [label, key] of [
    ["public-key", publicKey],
    ["secret-key", secretKey],
  ] as const) {
    if (key !== null && !isZ85Key(key)) {
      throw new Error(`${file}: ${label} is not a 40-character Z85 key, got ${describeValue(key)}`)
    }
  }
  return { publicKey, secretKey }
}

/**
 * The public keys of every public certificate (`*.key` file; `.key_secret` files are not read, nor hidden
 * files, which pyzmq's `glob("*.key")` skips) directly in `directory`, as a `Set` of Z85 strings.
 * Synchronous. (pyzmq `zmq.auth.load_certificates(directory)`, which returns a dict of `public_key: True`)
 *
 * @throws TypeError for a bad path; the file system's error (`ENOENT`, `ENOTDIR` …); `loadCertificate`'s
 * errors for a certificate it cannot read.
 */
export function loadCertificates(directory: string | URL): Set<string> {
  const dir = toPath("directory", directory)
  const keys = new Set<string>()
  for (const entry of readdirSync(dir).sort()) {
    const file = join(dir, entry)
    if (!entry.startsWith(".") && entry.endsWith(PUBLIC_KEY_SUFFIX) && statSync(file).isFile())
      keys.add(loadCertificate(file).publicKey)
  }
  return keys
}
