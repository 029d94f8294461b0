// A load-balancing broker (the zguide's "Paranoid Pirate" queue) on ZMQStream. Clients send requests to
// the frontend; workers announce they are ready on the backend; each request goes to the ready worker
// that has waited longest (least recently used). Broker and workers exchange heartbeats from a
// PeriodicCallback; a worker silent for LIVENESS heartbeats is dropped and its request queued again.
//
//   node examples/broker/broker.mjs [--frontend EP] [--backend EP] [--heartbeat MS]
//
// Endpoints default to tcp://127.0.0.1:* (printed); use e.g. --frontend tcp://*:5555 --backend
// tcp://*:5556 to accept clients and workers from other machines. Heartbeat: 1000 ms. Runs until SIGINT or
// SIGTERM. Clients: examples/broker/client.mjs; workers: examples/broker/worker.mjs.
//
// Wire protocol (every frame a string except payloads):
//   client -> frontend   [request id, payload]           frontend -> client   [request id, reply]
//   worker -> backend    ["READY"] | ["HEARTBEAT"] | ["REPLY", client id, request id, reply]
//   backend -> worker    ["HEARTBEAT"] | ["REQUEST", client id, request id, payload]
import * as zmq from "zeromq"
import { IOLoop, PeriodicCallback } from "@zmq-eventloop/ioloop"
import { ZMQStream } from "@zmq-eventloop/zmqstream"
import { endpoint, integerOption, parseCommandLine } from "../lib/cli.mjs"
import { stopOnSignals } from "../lib/deadline.mjs"

const { values } = parseCommandLine({
  usage: "node examples/broker/broker.mjs [--frontend EP] [--backend EP] [--heartbeat MS]",
  options: {
    frontend: {
      type: "string",
      arg: "EP",
      default: "tcp://127.0.0.1:*",
      parse: endpoint,
      help: "for clients",
    },
    backend: {
      type: "string",
      arg: "EP",
      default: "tcp://127.0.0.1:*",
      parse: endpoint,
      help: "for workers",
    },
    heartbeat: integerOption("MS", 1000, "heartbeat period"),
  },
})
const HEARTBEAT_MS = values.heartbeat
const LIVENESS = 3 // heartbeats a worker may miss before it is considered dead

const loop = new IOLoop()
// mandatory on both ROUTERs: a plain ROUTER silently drops a message to a peer whose pipe is full (the
// high-water mark) or that has gone away, and "each request gets exactly one reply" would then depend on
// luck. With ZMQ_ROUTER_MANDATORY the stream waits for room instead (EAGAIN), and a message to a peer that
// is gone fails with EHOSTUNREACH, which onSend below reports. The price: the stream sends in order, so a
// peer that stops reading for a whole high-water mark (1000 messages) holds up the messages behind it.
const frontSocket = new zmq.Router({ linger: 0, mandatory: true })
const backSocket = new zmq.Router({ linger: 0, mandatory: true })
await frontSocket.bind(values.frontend)
await backSocket.bind(values.backend)
const frontend = new ZMQStream(frontSocket, loop)
const backend = new ZMQStream(backSocket, loop)
// A reply to a client that has gone, a heartbeat to a worker that died: said, not dropped in silence. (A
// dead worker's request is re-queued by the heartbeat check below.)
for (const [stream, peers] of [
  [frontend, "client"],
  [backend, "worker"],
]) {
  stream.onSend((msg, status) => {
    if (status !== undefined)
      console.log(`could not send to ${peers} ${msg[0].toString("hex")}: ${status.code}`)
  })
}
console.log(`broker frontend ${frontSocket.lastEndpoint} (clients connect here)`)
console.log(`broker backend ${backSocket.lastEndpoint} (workers connect here)`)

const workers = new Map() // routing id (hex) -> { id, expiry, request }
const ready = [] // idle workers, least recently used first
const queue = [] // requests waiting for a worker, oldest first
const unanswered = new Map() // "client/request id" -> request: each gets exactly one reply

function dispatch() {
  while (queue.length > 0 && ready.length > 0) {
    const worker = ready.shift()
    const request = queue.shift()
    worker.request = request
    backend.sendMultipart([worker.id, "REQUEST", request.client, request.requestId, request.payload])
  }
}

frontend.onRecv(([client, requestId, payload]) => {
  const request = { key: `${client.toString("hex")}/${requestId}`, client, requestId, payload }
  unanswered.set(request.key, request)
  queue.push(request)
  dispatch()
})

backend.onRecv(([id, command, ...rest]) => {
  const key = id.toString("hex")
  let worker = workers.get(key)
  if (worker === undefined) {
    // A new worker, or one dropped earlier that turns out to be alive after all.
    worker = { id, expiry: 0, request: null }
    workers.set(key, worker)
    ready.push(worker)
    console.log(`worker ${key} joined (${workers.size} workers)`)
  }
  worker.expiry = loop.time() + HEARTBEAT_MS * LIVENESS // any message shows it is alive
  if (command.toString() === "REPLY") {
    const [client, requestId, reply] = rest
    const request = unanswered.get(`${client.toString("hex")}/${requestId}`)
    if (request !== undefined) {
      unanswered.delete(request.key)
      frontend.sendMultipart([client, requestId, reply])
    } else {
      // Its first worker was declared dead and then answered anyway: a second reply is dropped.
      console.log(`dropped a second reply to request ${requestId}`)
    }
    if (worker.request !== null) {
      worker.request = null
      ready.push(worker)
    }
  }
  dispatch()
})

// Heartbeats: tell every worker the broker is alive, and drop the workers that have gone silent.
const heartbeat = new PeriodicCallback(
  () => {
    const now = loop.time()
    for (const [key, worker] of workers) {
      if (worker.expiry > now) {
        backend.sendMultipart([worker.id, "HEARTBEAT"])
        continue
      }
      workers.delete(key)
      if (ready.includes(worker)) ready.splice(ready.indexOf(worker), 1)
      const lost = worker.request !== null && unanswered.has(worker.request.key)
      if (lost) queue.unshift(worker.request) // first in line again
      console.log(`worker ${key} is dead${lost ? `, request ${worker.request.requestId} re-queued` : ""}`)
    }
    dispatch()
  },
  HEARTBEAT_MS,
  loop,
)
heartbeat.start()

stopOnSignals(loop, "broker")
await loop.start()
heartbeat.stop()
frontend.close()
backend.close()
loop.close()
console.log(`broker stopped (${unanswered.size} requests unanswered)`)
