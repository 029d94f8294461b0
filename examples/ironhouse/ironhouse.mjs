// Ironhouse, the port of pyzmq's examples/security/ioloop-ironhouse.py: a CURVE echo server and its client
// on one IOLoop, with an IOLoopAuthenticator that admits clients from 127.0.0.1 whose certificate is in
// public_keys/. Ironhouse is the strongest of the zguide's security models: the connection is encrypted,
// the client knows the server's key, and the server knows each client's key.
//
//   node examples/ironhouse/ironhouse.mjs [--keys DIR] [--timeout MS] [-v]
//
// --keys DIR: the certificates made by generate-certificates.mjs (default: fresh ones in a temporary
// directory, removed at the end); --timeout: the overall deadline (default 10000 ms); -v: the
// authenticator's debug lines. Beyond the original, a client with a key of its own tries too and must be
// refused. Prints "Ironhouse test OK" and exits 0 when the client got its reply and the intruder was
// refused; at the deadline, says what is missing and exits 1.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import * as zmq from "zeromq"
import { IOLoopAuthenticator, loadCertificate } from "@zmq-eventloop/auth"
import { IOLoop } from "@zmq-eventloop/ioloop"
import { ZMQStream } from "@zmq-eventloop/zmqstream"
import { parseCommandLine, timeoutOption } from "../lib/cli.mjs"
import { certificateDirs, certificatesExist, generateCertificates } from "./certificates.mjs"

const {
  values: { keys: keysOption, timeout, verbose },
} = parseCommandLine({
  usage: "node examples/ironhouse/ironhouse.mjs [--keys DIR] [--timeout MS] [-v]",
  options: {
    keys: {
      type: "string",
      arg: "DIR",
      help: "certificates from generate-certificates.mjs (default: fresh ones, removed at the end)",
    },
    timeout: timeoutOption(10000),
    verbose: { type: "boolean", short: "v", help: "print the authenticator's debug lines" },
  },
})

/** pyzmq's logging.basicConfig(format="[%(levelname)s] %(message)s"), debug lines only with -v. */
class LevelLogger {
  error(...args) {
    console.error("[ERROR]", ...args)
  }
  warn(...args) {
    console.error("[WARNING]", ...args)
  }
  info(...args) {
    console.log("[INFO]", ...args)
  }
  debug(...args) {
    if (verbose) console.log("[DEBUG]", ...args)
  }
}
const log = new LevelLogger()

const baseDir = keysOption ? resolve(keysOption) : mkdtempSync(join(tmpdir(), "ironhouse-"))
if (keysOption === undefined) generateCertificates(baseDir)
if (!certificatesExist(baseDir)) {
  log.error(`Certificates are missing in ${baseDir} - run generate-certificates.mjs first`)
  process.exit(1)
}
const { publicKeysDir, secretKeysDir } = certificateDirs(baseDir)

const loop = new IOLoop({ logger: log })

// Start an authenticator for this context (zeromq.js's global one) before any client connects: libzmq
// admits clients without asking while no handler is bound.
const auth = new IOLoopAuthenticator(undefined, loop)
auth.start()
auth.allow("127.0.0.1")
// Tell the authenticator to use the certificates in a directory.
auth.configureCurve("*", publicKeysDir)

/** A simple echo server with CURVE: each message comes back with "World" added. */
async function setupServer(serverSecretFile) {
  const { publicKey, secretKey } = loadCertificate(serverSecretFile)
  const socket = new zmq.Router({ curveServer: true, curvePublicKey: publicKey, curveSecretKey: secretKey })
  await socket.bind("tcp://127.0.0.1:*")
  const server = new ZMQStream(socket, loop)
  server.onRecvStream((stream, msg) => {
    const [id, ...body] = msg
    log.debug(`server recvd ${JSON.stringify(body.map(String))} from ${id.toString("hex")}`)
    stream.sendMultipart([...msg, "World"])
  })
  return server
}

/** A client with CURVE: it needs its own key pair and the server's public key. */
function setupClient(clientKeys, serverPublicFile, endpoint) {
  const { publicKey: serverKey } = loadCertificate(serverPublicFile)
  const socket = new zmq.Dealer({
    curveServerKey: serverKey,
    curvePublicKey: clientKeys.publicKey,
    curveSecretKey: clientKeys.secretKey,
  })
  socket.connect(endpoint)
  return new ZMQStream(socket, loop)
}

// What must happen before the program is done; the deadline reports whatever is left.
const missing = new Set(["the server's reply to the client", "the refusal of the intruder"])
const happened = (what) => {
  missing.delete(what)
  if (missing.size === 0) loop.stop()
}

const server = await setupServer(join(secretKeysDir, "server.key_secret"))
const endpoint = server.socket.lastEndpoint
log.info(`server listening on ${endpoint}`)
const serverPublicFile = join(publicKeysDir, "server.key")

const clientKeys = loadCertificate(join(secretKeysDir, "client.key_secret"))
const client = setupClient(clientKeys, serverPublicFile, endpoint)
client.onRecv((msg) => {
  log.debug(`client recvd ${JSON.stringify(msg.map(String))}`)
  log.info("Ironhouse test OK")
  happened("the server's reply to the client")
})
client.send("Hello")

// An intruder: it knows the server's key, but its own is in no certificate the server trusts.
const intruder = setupClient(zmq.curveKeyPair(), serverPublicFile, endpoint)
// Read up to the refusal (events.on() would leave a receive pending on the observer until it closes).
void (async () => {
  for await (const event of intruder.socket.events) {
    if (event.type !== "handshake:error:auth") continue
    log.info(`a client with an unknown key was refused (ZAP status ${event.error.status})`)
    happened("the refusal of the intruder")
    break
  }
})()
intruder.onRecv(() => log.error("the intruder got a reply"))
intruder.send("Hello")

loop.callLater(timeout, () => {
  log.error(`timed out after ${timeout} ms; missing: ${[...missing].join(", ")}`)
  loop.stop()
})
await loop.start()

for (const stream of [client, intruder, server]) stream.close(0)
await auth.stop()
loop.close()
if (keysOption === undefined) rmSync(baseDir, { recursive: true, force: true })
process.exitCode = missing.size === 0 ? 0 : 1
