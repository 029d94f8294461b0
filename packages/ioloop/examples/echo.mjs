// The README's example, kept runnable: node packages/ioloop/examples/echo.mjs
import { IOLoop, READ } from "@zmq-eventloop/ioloop"
import * as zmq from "zeromq"

const loop = new IOLoop()
const server = new zmq.Reply()
await server.bind("tcp://127.0.0.1:*")

// Called while the socket has a request waiting (level-triggered): one request per call.
loop.addHandler(
  server,
  async (socket) => {
    const [request] = await socket.receive()
    await socket.send(request)
  },
  READ,
)

const client = new zmq.Request()
client.connect(server.lastEndpoint)
loop.addCallback(async () => {
  for (const text of ["hello", "world"]) {
    await client.send(text)
    const [reply] = await client.receive()
    console.log("echoed:", reply.toString())
  }
  loop.stop()
})

loop.callLater(20_000, () => loop.stop()) // a deadline, in ms
await loop.start() // resolves once stop() has been called
loop.close(true) // true: close the registered sockets too
client.close()
