import { IOLoop } from "@zmq-eventloop/ioloop"
import { ZMQStream } from "@zmq-eventloop/zmqstream"
import * as zmq from "zeromq"

const loop = new IOLoop()
const total = 100_000

// A PUSH stream whose queue holds at most 1,000 messages: send() says when to stop, onDrain when to go on.
const sender = new ZMQStream(new zmq.Push(), { ioLoop: loop, sendQueueLimit: { maxMessages: 1000 } })
const port = await sender.bindToRandomPort("tcp://127.0.0.1")
let next = 0
let mostQueued = 0
function pump() {
  while (next < total) {
    const room = sender.sendString(String(next++))
    mostQueued = Math.max(mostQueued, sender.queuedMessages())
    if (!room) return startReading()
  }
  startReading() // everything went out without filling the queue (the peer's side took it all)
}
sender.onDrain(pump)

// A PULL stream that starts reading only once the sender's queue was full (or everything was sent).
const receiver = new ZMQStream(new zmq.Pull(), loop)
receiver.connect(`tcp://127.0.0.1:${port}`)
let arrived = 0
let outOfOrder = 0
function startReading() {
  if (receiver.receiving()) return
  receiver.onRecv(([frame]) => {
    if (frame.toString() !== String(arrived)) outOfOrder++
    if (++arrived === total) loop.stop()
  })
}

loop.addCallback(pump)
loop.callLater(20_000, () => loop.stop()) // a deadline, in ms
await loop.start()
console.log(`${arrived} arrived, ${outOfOrder} out of order, queue within its limit: ${mostQueued <= 1000}`)
sender.close(0)
receiver.close(0)
loop.close()
