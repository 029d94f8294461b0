import { IOLoop } from "@zmq-eventloop/ioloop"
import { Poller, POLLIN, ZMQStream } from "@zmq-eventloop/zmqstream"
import * as zmq from "zeromq"

const loop = new IOLoop()

// A REP server on a ZMQStream, beside the Poller on the same loop.
const server = new ZMQStream(new zmq.Reply(), loop)
const port = await server.bindToRandomPort("tcp://127.0.0.1")
server.onRecv(([request]) => server.sendString(`${request} back`))

// A REQ client in a poll loop, as in pyzmq: poller.register(client, zmq.POLLIN).
const client = new zmq.Request()
client.connect(`tcp://127.0.0.1:${port}`)
const poller = new Poller(loop)
poller.register(client, POLLIN)

await loop.runSync(async () => {
  for (const word of ["ping", "pong"]) {
    await client.send(word)
    const events = new Map(await poller.poll(5000)) // dict(await poller.poll(5000)), in ms
    if (!((events.get(client) ?? 0) & POLLIN)) {
      console.log(`no reply to ${word} within 5 s`)
      break // a REQ must not send again before its reply
    }
    const [reply] = await client.receive() // zeromq.js's own receive()
    console.log(reply.toString())
  }
  console.log(await poller.poll(0)) // nothing more to read: []
})
poller.unregister(client)
client.close()
server.close(0)
loop.close()
