import * as zmq from "zeromq"
import { IOLoop } from "@zmq-eventloop/ioloop"
import { ZMQStream } from "./dist/index.js"
const loop = new IOLoop({ poller: "fd", makeCurrent: false })
loop.start()
const endpoint = `inproc://router-x`
const router = new zmq.Router({ mandatory: false, sendHighWaterMark: 1 })
await router.bind(endpoint)
const dealer = new zmq.Dealer({ receiveHighWaterMark: 1 })
dealer.connect(endpoint)
const server = new ZMQStream(router, loop)
const errors = []
server.onErr((e) => errors.push(e))
let got = 0
server.onRecv((msg) => {
  got++
  server.sendMultipart(msg)
})
const client = new ZMQStream(dealer, loop)
const replies = []
client.onRecv(([p]) => replies.push(p.toString()))
for (let i = 0; i < 5000; i++) client.send(String(i))
let handed = 0
server.onSend(() => ++handed)
setTimeout(() => {
  console.log({
    got,
    handed,
    errors: errors.length,
    replies: replies.length,
    clientSending: client.sending(),
    serverSending: server.sending(),
  })
  process.exit(0)
}, 2000)
