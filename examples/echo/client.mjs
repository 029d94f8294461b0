// The client of examples/echo/server.mjs: sends a few messages over a REQ socket, prints each echo, exits.
//
//   node examples/echo/client.mjs <endpoint> [message ...]
//
// Like the server it uses IOLoop.addHandler only: READ on the REQ socket means "the echo is here".
import * as zmq from "zeromq"
import { IOLoop } from "@zmq-eventloop/ioloop"

const [endpoint, ...args] = process.argv.slice(2)
if (!endpoint) {
  console.error("usage: node examples/echo/client.mjs <endpoint> [message ...]")
  process.exit(2)
}
const messages = args.length > 0 ? args : ["hello", "ahoy", "bonjour"]

const loop = new IOLoop()
const socket = new zmq.Request({ linger: 0 })
socket.connect(endpoint)

let next = 0
async function sendNext() {
  await socket.send(messages[next])
}

loop.addHandler(
  socket,
  async (sock) => {
    loop.updateHandler(sock, IOLoop.NONE) // one reply per request: wait for it once
    const [reply] = await sock.receive()
    console.log(`sent ${JSON.stringify(messages[next])}, got back ${JSON.stringify(reply.toString())}`)
    if (++next === messages.length) return loop.stop()
    await sendNext()
    loop.updateHandler(sock, IOLoop.READ)
  },
  IOLoop.READ,
)

// Give up if the server does not answer (wrong endpoint, server down): a REQ would wait forever.
loop.callLater(5000, () => {
  console.error(`no echo from ${endpoint} within 5 s`)
  process.exitCode = 1
  loop.stop()
})

loop.addCallback(sendNext)
await loop.start()
loop.close(true)
console.log(`echo client done: ${next} of ${messages.length} messages echoed`)
