// A REP echo server driven by IOLoop.addHandler directly: the port of pyzmq's examples/eventloop/echo.py.
//
//   node examples/echo/server.mjs [endpoint]      (default tcp://127.0.0.1:*, the port is printed)
//
// It runs until SIGINT or SIGTERM. Try it with examples/echo/client.mjs.
import * as zmq from "zeromq"
import { IOLoop } from "@zmq-eventloop/ioloop"
import { endpoint, parseCommandLine } from "../lib/cli.mjs"
import { stopOnSignals } from "../lib/deadline.mjs"

const {
  positionals: [address = "tcp://127.0.0.1:*"],
} = parseCommandLine({
  usage: "node examples/echo/server.mjs [endpoint]",
  positionals: { max: 1, parse: [endpoint] },
})

const loop = new IOLoop()
const socket = new zmq.Reply({ linger: 0 })
await socket.bind(address) // bind is asynchronous in zeromq.js
console.log(`echo server listening on ${socket.lastEndpoint}`)

// The handler is level-triggered: the loop calls it on every iteration while a request is waiting. A REP
// socket takes one request, then must send one reply, so the handler drops READ interest until the reply
// is out (the receive and send are promises in zeromq.js) and asks again afterwards.
loop.addHandler(
  socket,
  async (sock) => {
    loop.updateHandler(sock, IOLoop.NONE)
    const [message] = await sock.receive()
    await sock.send(message)
    loop.updateHandler(sock, IOLoop.READ)
  },
  IOLoop.READ,
)

stopOnSignals(loop, "echo server")
await loop.start() // resolves once the loop has stopped
loop.close(true) // true: also close the socket registered with the loop
console.log("echo server stopped")
