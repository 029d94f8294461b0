// The heartbeat, on a worker thread and an IOLoop of its own (channels.mjs starts it), as ipykernel runs
// its heartbeat on a thread of its own: it echoes every ping at once whatever the other threads do. On the
// channels worker's loop it waited while that worker signed and sent large messages: eight 32 MiB
// displays held it 1.5 s, past jupyter_client's 1 s before a kernel counts as dead.
//
//   channels -> heartbeat   workerData { endpoint }, then "stop"
//   heartbeat -> channels   { bound: <the endpoint bound, its port if it was 0> }, or { failed: <message> }
import * as zmq from "zeromq"
import { parentPort, workerData } from "node:worker_threads"
import { IOLoop } from "@zmq-eventloop/ioloop"
import { ZMQStream } from "@zmq-eventloop/zmqstream"
import { loopLogger } from "./log.mjs"

const socket = new zmq.Reply({ linger: 0 })
try {
  await socket.bind(workerData.endpoint)
} catch (error) {
  socket.close()
  parentPort.postMessage({ failed: error.message })
  process.exit(1)
}
const loop = new IOLoop({ logger: loopLogger })
const stream = new ZMQStream(socket, loop)
stream.onRecv((frames) => stream.sendMultipart(frames))
parentPort.once("message", () => loop.addCallback(() => loop.stop()))
parentPort.postMessage({ bound: socket.lastEndpoint })
await loop.start()
stream.close()
loop.close()
