// An HTTP server (node:http) that answers each request by asking a pool of zmq workers: the port of
// pyzmq's examples/eventloop/asyncweb.py (a tornado web front end with a zmq back end). The HTTP handler
// sends the request over a DEALER stream and returns; the response is written when the worker's reply
// comes back, so any number of requests wait at once without blocking anything.
//
//   node examples/asyncweb/server.mjs [--port P] [--workers N]    (defaults: a free port, 4 workers)
//
//   curl 'http://127.0.0.1:P/?q=hello'            the answer to "hello"
//   curl -d 'some text' http://127.0.0.1:P/       the answer to the request body
//
// The workers run in this process (--workers 0 for none); more can join from anywhere with
// `node examples/asyncweb/worker.mjs <backend endpoint>`. It runs until SIGINT or SIGTERM.
import * as zmq from "zeromq"
import { createServer } from "node:http"
import { IOLoop } from "@zmq-eventloop/ioloop"
import { ZMQStream } from "@zmq-eventloop/zmqstream"
import { integerOption, parseCommandLine, portOption } from "../lib/cli.mjs"
import { stopOnSignals } from "../lib/deadline.mjs"
import { startWorker } from "./worker.mjs"

const {
  values: { port, workers: workerCount },
} = parseCommandLine({
  usage: "node examples/asyncweb/server.mjs [--port P] [--workers N]",
  options: {
    port: portOption("http port, 0: a free one"),
    workers: integerOption("N", 4, "in-process workers", 0),
  },
})
const REPLY_TIMEOUT_MS = 10000 // a request no worker answers in time gets a 504: no HTTP request waits forever

const loop = new IOLoop()

// The backend: a DEALER spreads requests round-robin over the connected workers and takes their replies.
const dealer = new zmq.Dealer({ linger: 0 })
await dealer.bind("tcp://127.0.0.1:*")
const backend = new ZMQStream(dealer, loop)
console.log(`workers connect to ${dealer.lastEndpoint}`)

const workers = []
for (let i = 1; i <= workerCount; i++) {
  workers.push(startWorker(dealer.lastEndpoint, { name: `in-process ${i}`, loop }))
}

// Requests waiting for their reply, by request id: the HTTP response and the timeout that gives up.
const pending = new Map()
let lastId = 0

backend.onRecv(([requestId, answer]) => {
  const request = pending.get(requestId.toString())
  if (request === undefined) return console.warn(`reply to unknown request ${requestId} (timed out?)`)
  pending.delete(requestId.toString())
  loop.removeTimeout(request.timeout)
  request.response.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end(answer)
})

function ask(payload, response) {
  const requestId = String(++lastId)
  const timeout = loop.callLater(REPLY_TIMEOUT_MS, () => {
    pending.delete(requestId)
    response.writeHead(504).end("no worker answered in time\n")
  })
  pending.set(requestId, { response, timeout })
  backend.sendMultipart([requestId, payload])
}

const http = createServer((request, response) => {
  if (request.method === "POST") {
    const chunks = []
    request.on("data", (chunk) => chunks.push(chunk))
    request.on("end", () => ask(Buffer.concat(chunks), response))
  } else {
    ask(new URL(request.url, "http://x").searchParams.get("q") ?? "hello", response)
  }
})
http.listen(port, "127.0.0.1", () => {
  console.log(`http server listening on http://127.0.0.1:${http.address().port}/`)
})

stopOnSignals(loop, "asyncweb server")
await loop.start()
http.close()
http.closeAllConnections()
for (const stream of [...workers, backend]) stream.close()
loop.close()
console.log("asyncweb server stopped")
