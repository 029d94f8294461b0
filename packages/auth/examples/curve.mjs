import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createCertificates, IOLoopAuthenticator, loadCertificate } from "@zmq-eventloop/auth"
import { IOLoop } from "@zmq-eventloop/ioloop"
import { ZMQStream } from "@zmq-eventloop/zmqstream"
import * as zmq from "zeromq"

// Certificates: the server's, and a client's whose public file sits in the directory the server trusts.
const dir = mkdtempSync(join(tmpdir(), "curve-example-"))
const [, serverSecretFile] = createCertificates(dir, "server")
const [, clientSecretFile] = createCertificates(dir, "client")
const serverKeys = loadCertificate(serverSecretFile)
const clientKeys = loadCertificate(clientSecretFile)

const loop = new IOLoop()
// zeromq.js's global context, this loop; each decision is logged at debug level (NODE_DEBUG=zmq-eventloop).
const auth = new IOLoopAuthenticator(undefined, loop)
auth.start()
auth.allow("127.0.0.1")
auth.configureCurve("*", dir) // the public keys of every *.key file in dir

// A CURVE echo server: "Hello" comes back as "Hello World".
const serverSocket = new zmq.Router({ curveServer: true, curveSecretKey: serverKeys.secretKey })
await serverSocket.bind("tcp://127.0.0.1:*")
const server = new ZMQStream(serverSocket, loop)
server.onRecv(([id, ...msg]) => server.sendMultipart([id, ...msg, "World"]))

const results = {}
const done = (name, text) => {
  results[name] = text
  if (Object.keys(results).length === 2) loop.stop()
}

// The known client is answered; a stranger with a key of its own is refused during the handshake.
const curveClient = (keys) =>
  new ZMQStream(
    new zmq.Dealer({
      curveServerKey: serverKeys.publicKey,
      curvePublicKey: keys.publicKey,
      curveSecretKey: keys.secretKey,
    }),
    loop,
  )
const client = curveClient(clientKeys)
client.onRecv((reply) => done("client", reply.join(" ")))
const stranger = curveClient(zmq.curveKeyPair())
// The stranger's own view of its handshake, from zeromq.js's observer of its socket, read up to the refusal.
void (async () => {
  for await (const event of stranger.socket.events) {
    if (event.type !== "handshake:error:auth") continue
    done("stranger", `refused (${event.error.status})`)
    break
  }
})()
for (const stream of [client, stranger]) {
  stream.connect(serverSocket.lastEndpoint)
  stream.sendString("Hello")
}

loop.callLater(20_000, () => loop.stop()) // a deadline, in ms
await loop.start()
console.log(`client: ${results.client ?? "no reply"}; stranger: ${results.stranger ?? "not refused"}`)
for (const stream of [server, client, stranger]) stream.close(0)
await auth.stop()
loop.close()
rmSync(dir, { recursive: true })
