// The client of examples/echo/server.mjs: sends a few messages over a REQ socket, prints each echo, exits.
//
//   node examples/echo/client.mjs <endpoint> [message ...] [--timeout MS]   (default timeout 5000 ms)
//
// Like the server it uses IOLoop.addHandler only: READ on the REQ socket means "the echo is here". A REQ
// waits for its reply forever (wrong endpoint, server down), so past --timeout it gives up and exits 1.
import * as zmq from "zeromq"
import { IOLoop } from "@zmq-eventloop/ioloop"
import { endpoint, parseCommandLine, timeoutOption } from "../lib/cli.mjs"
import { watchdog } from "../lib/deadline.mjs"

const {
  values: { timeout },
  positionals: [address, ...args],
} = parseCommandLine({
  usage: "node examples/echo/client.mjs <endpoint> [message ...] [--timeout MS]",
  options: { timeout: timeoutOption(5000) },
  positionals: { min: 1, max: Infinity, parse: [endpoint] },
})
const messages = args.length > 0 ? args : ["hello", "ahoy", "bonjour"]

const loop = new IOLoop()
const socket = new zmq.Request({ linger: 0 })
socket.connect(address)

let next = 0
const deadline = watchdog(
  "echo client",
  timeout,
  () => `${next} of ${messages.length} messages echoed by ${address}`,
)

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

loop.addCallback(sendNext)
await loop.start()
deadline.cancel()
loop.close(true)
console.log(`echo client done: ${next} of ${messages.length} messages echoed`)
