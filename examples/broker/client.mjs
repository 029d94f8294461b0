// A client of examples/broker/broker.mjs: sends --requests requests at once over a DEALER stream, counts
// the replies per request, and exits 0 once every request has exactly one reply; past --timeout it says
// how many are missing and exits 1.
//
//   node examples/broker/client.mjs <frontend endpoint> [--requests N] [--name NAME] [--timeout MS]
//
// Defaults: 10 requests, name = the pid, timeout 30000 ms.
import * as zmq from "zeromq"
import { IOLoop } from "@zmq-eventloop/ioloop"
import { ZMQStream } from "@zmq-eventloop/zmqstream"
import { endpoint, integerOption, parseCommandLine, timeoutOption } from "../lib/cli.mjs"
import { watchdog } from "../lib/deadline.mjs"

const {
  values: { requests: count, name = String(process.pid), timeout },
  positionals: [frontend],
} = parseCommandLine({
  usage: "node examples/broker/client.mjs <frontend endpoint> [--requests N] [--name NAME] [--timeout MS]",
  options: {
    requests: integerOption("N", 10, "requests, all at once"),
    name: { type: "string", arg: "NAME", help: "its requests' prefix (default: the pid)" },
    timeout: timeoutOption(30000),
  },
  positionals: { min: 1, max: 1, parse: [endpoint] },
})

const loop = new IOLoop()
const socket = new zmq.Dealer({ linger: 0 })
socket.connect(frontend)
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

const deadline = watchdog(`client ${name}`, timeout, () => `${answered} of ${count} requests answered`)

await loop.start()
deadline.cancel()
stream.close()
loop.close()
const duplicates = replies.filter((n) => n > 1).length
console.log(`client ${name}: ${answered} of ${count} requests answered, ${duplicates} duplicates`)
process.exitCode = answered === count && duplicates === 0 ? 0 : 1
