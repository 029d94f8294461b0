// The Lazy Pirate client (zguide lpclient): reliable request-reply from the client side. It sends a
// request on a REQ socket and polls for the reply with a timeout; when none comes, the REQ socket is stuck
// (it must receive before it can send), so it closes it, opens a new one and sends the request again,
// giving up after --retries unanswered tries. The poll is a Poller on the IOLoop (pyzmq's
// `zmq.Poller().poll(REQUEST_TIMEOUT)`), the reply is read with zeromq.js's own receive().
//
//   node examples/lazy-pirate/client.mjs <endpoint> [--requests N] [--timeout MS] [--retries N] [--deadline MS]
//
// Defaults: 10 requests, 2500 ms per try, 3 tries, 60000 ms overall. Exits 0 once every request has its
// reply, 1 when the server seems offline or the deadline passed (saying what is missing), 2 on bad arguments.
import * as zmq from "zeromq"
import { IOLoop, TimeoutError } from "@zmq-eventloop/ioloop"
import { Poller, POLLIN } from "@zmq-eventloop/zmqstream"
import { endpoint as endpointArgument, integerOption, parseCommandLine } from "../lib/cli.mjs"

const {
  values: { requests, timeout, retries, deadline },
  positionals: [endpoint],
} = parseCommandLine({
  usage:
    "node examples/lazy-pirate/client.mjs <endpoint> [--requests N] [--timeout MS] [--retries N] [--deadline MS]",
  options: {
    requests: integerOption("N", 10, "requests, one at a time"),
    timeout: integerOption("MS", 2500, "how long each try waits for its reply"),
    retries: integerOption("N", 3, "tries per request before the server is taken for offline"),
    deadline: integerOption("MS", 60000, "give up after MS milliseconds, saying what is missing"),
  },
  positionals: { min: 1, parse: [endpointArgument] },
})

const loop = new IOLoop()
const poller = new Poller(loop)
let client = null
let answered = 0
let tryNumber = 0

function connect() {
  const socket = new zmq.Request({ linger: 0 })
  socket.connect(endpoint)
  poller.register(socket, POLLIN)
  return socket
}

/** Returns true once every request has its reply, false when the server seems to be offline. */
async function run() {
  console.log(`client: connecting to ${endpoint}`)
  client = connect()
  for (let sequence = 0; sequence < requests; sequence++) {
    const request = String(sequence)
    console.log(`client: sending (${request})`)
    await client.send(request)
    tryNumber = 1
    for (;;) {
      const ready = new Map(await poller.poll(timeout))
      if (ready.get(client) & POLLIN) {
        const [reply] = await client.receive()
        if (String(reply) === request) {
          console.log(`client: server replied OK (${reply})`)
          answered++
          break
        }
        console.log(`client: malformed reply from server: ${reply}`)
        continue
      }
      console.log("client: no response from server")
      // The REQ socket is confused: close it and remove it from the poller.
      poller.unregister(client)
      client.close()
      client = null
      if (tryNumber === retries) {
        console.log("client: server seems to be offline, abandoning")
        return false
      }
      tryNumber++
      console.log("client: reconnecting to server")
      client = connect()
      console.log(`client: resending (${request})`)
      await client.send(request)
    }
  }
  return true
}

let succeeded = false
try {
  succeeded = await loop.runSync(run, { timeout: deadline })
} catch (error) {
  if (!(error instanceof TimeoutError)) throw error
  console.log(
    `client: deadline of ${deadline} ms passed: no reply to request (${answered}) after ${tryNumber} of ` +
      `${retries} tries; ${requests - answered} of ${requests} requests unanswered`,
  )
}
client?.close()
loop.close()
console.log(`client: ${answered} of ${requests} requests answered`)
process.exitCode = succeeded ? 0 : 1
