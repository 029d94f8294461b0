import { IOLoop } from "@zmq-eventloop/ioloop"
import { ZMQStream, loadJson } from "@zmq-eventloop/zmqstream"
import * as zmq from "zeromq"

const loop = new IOLoop()

// A ROUTER echo server: each message comes back to the peer that sent it.
const server = new ZMQStream(new zmq.Router(), loop)
const port = await server.bindToRandomPort("tcp://127.0.0.1")
server.onRecv(([identity, ...body]) => server.sendMultipart([identity, ...body]))

// A DEALER client: three requests of three kinds, each answered in order.
const client = new ZMQStream(new zmq.Dealer(), loop)
client.connect(`tcp://127.0.0.1:${port}`)
const replies = []
client.onRecv(([reply]) => {
  replies.push(reply)
  if (replies.length === 3) loop.stop()
})
client.sendString("héllo")
client.sendJson({ answer: 42 })
client.send(Buffer.from([1, 2, 3]), {
  callback: (msg, status) => console.log("sent", msg.length, "part", status ?? "ok"),
})

loop.callLater(20_000, () => loop.stop()) // a deadline, in ms
await loop.start()
console.log(replies[0].toString(), loadJson(replies[1]), replies[2])
server.close(0)
client.close(0)
loop.close()
