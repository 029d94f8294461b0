// The Lazy Pirate server: a REP echo server that fails on purpose, so that the Lazy Pirate client has
// something to recover from. zguide's lpserver crashes or stalls at random; this one drops every Nth request
// it receives (--drop-every, default 3), so that a test can count on it: it does not answer a dropped
// request until the client that sent it has given up and disconnected (libzmq then discards the answer; a
// REP socket must answer before it can receive again). It waits on the loop with a Poller, as lpserver
// waits in recv().
//
//   node examples/lazy-pirate/server.mjs [--bind EP] [--drop-every N] [--deadline MS]
//
// --bind defaults to tcp://127.0.0.1:* (the endpoint is printed); --drop-every 0 never drops; --deadline
// (default 300000 ms, 0 for none) stops the server, reporting what it was waiting for. Runs until SIGINT or
// SIGTERM otherwise.
import * as zmq from "zeromq"
import { IOLoop } from "@zmq-eventloop/ioloop"
import { Poller, POLLIN } from "@zmq-eventloop/zmqstream"
import { endpoint, integerOption, parseCommandLine } from "../lib/cli.mjs"

const {
  values: { bind: bindTo, "drop-every": dropEvery, deadline },
} = parseCommandLine({
  usage: "node examples/lazy-pirate/server.mjs [--bind EP] [--drop-every N] [--deadline MS]",
  options: {
    bind: {
      type: "string",
      arg: "EP",
      default: "tcp://127.0.0.1:*",
      parse: endpoint,
      help: "where to listen",
    },
    "drop-every": integerOption("N", 3, "drop every Nth request, 0: none", 0),
    deadline: integerOption("MS", 300000, "stop after MS milliseconds, 0: never", 0),
  },
})

const loop = new IOLoop()
const server = new zmq.Reply({ linger: 0 })
await server.bind(bindTo)
const events = server.events // start the socket monitor now, so that no disconnect goes unseen
console.log(`lazy pirate server listening on ${server.lastEndpoint}`)

const counts = { received: 0, answered: 0, dropped: 0 }
let waitingFor = "a request"

/** Resolves at the next disconnection of a client from the server's socket. */
function nextDisconnect() {
  return new Promise((resolve) => {
    const listener = () => {
      events.off("disconnect", listener)
      resolve()
    }
    events.on("disconnect", listener)
  })
}

async function serve() {
  const poller = new Poller(loop)
  poller.register(server, POLLIN)
  for (;;) {
    waitingFor = "a request"
    const ready = new Map(await poller.poll())
    if (!(ready.get(server) & POLLIN)) continue
    const [request] = await server.receive()
    counts.received++
    if (dropEvery > 0 && counts.received % dropEvery === 0) {
      counts.dropped++
      console.log(`server: dropping request (${request}), #${counts.received} received`)
      waitingFor = `the client of dropped request (${request}) to disconnect`
      await nextDisconnect()
      await server.send(request) // its client is gone: libzmq discards it
      continue
    }
    console.log(`server: normal request (${request})`)
    await server.send(request)
    counts.answered++
  }
}

const summary = () => `received ${counts.received}, answered ${counts.answered}, dropped ${counts.dropped}`
const stop = () => loop.addCallbackFromSignal(() => loop.stop())
process.once("SIGINT", stop)
process.once("SIGTERM", stop)
if (deadline > 0) {
  loop.callLater(deadline, () => {
    console.error(`server: deadline of ${deadline} ms passed while waiting for ${waitingFor} (${summary()})`)
    process.exitCode = 1
    loop.stop()
  })
}

loop.addCallback(serve) // its errors are logged by the loop
await loop.start()
server.close()
loop.close()
console.log(`server stopped: ${summary()}`)
