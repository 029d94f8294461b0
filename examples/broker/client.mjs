// A client of examples/broker/broker.mjs: sends --requests requests at once over a DEALER stream, counts
// the replies per request, and exits 0 once every request has exactly one reply (1 on a timeout).
//
//   node examples/broker/client.mjs <frontend endpoint> [--requests N] [--name NAME] [--timeout MS]
//
// Defaults: 10 requests, name = the pid, timeout 30000 ms.
import * as zmq from "zeromq"
import { IOLoop } from "@zmq-eventloop/ioloop"
import { ZMQStream } from "@zmq-eventloop/zmqstream"

const [endpoint] = process.argv.slice(2)
if (!endpoint?.includes("://")) {
  console.error("usage: node examples/broker/client.mjs <frontend endpoint> [--requests N] [--name NAME]")
  process.exit(2)
}
const option = (flag, fallback) => {
  const i = process.argv.indexOf(flag)
  return i > 0 ? process.argv[i + 1] : fallback
}
const count = Number(option("--requests", 10))
const name = option("--name", String(process.pid))

const loop = new IOLoop()
const socket = new zmq.Dealer({ linger: 0 })
socket.connect(endpoint)
const stream = new ZMQStream(socket, loop)

const replies = new Array(count).fill(0) // replies seen per request
let answered = 0
stream.onRecv(([requestId, reply]) => {
  const n = Number(requestId)
  if (++replies[n] > 1) return console.log(`client ${name}: DUPLICATE reply to request ${n}`)
  console.log(`client ${name}: request ${n} -> ${reply}`)
  if (++answered === count) loop.stop()
})
for (let n = 0; n < count; n++) stream.sendMultipart([String(n), `${name}#${n}`])

const timeout = Number(option("--timeout", 30000))
loop.callLater(timeout, () => {
  console.log(`client ${name}: timed out after ${timeout} ms`)
  loop.stop()
})

await loop.start()
stream.close()
loop.close()
const duplicates = replies.filter((n) => n > 1).length
console.log(`client ${name}: ${answered} of ${count} requests answered, ${duplicates} duplicates`)
process.exitCode = answered === count && duplicates === 0 ? 0 : 1
