// An asyncweb worker: a ROUTER stream that connects to the web server's backend and answers each request
// after a short random delay (a stand-in for slow work), without blocking the other requests it holds.
//
//   node examples/asyncweb/worker.mjs <backend endpoint> [--name NAME] [--delay MAX_MS]
//
// examples/asyncweb/server.mjs also runs a few of these in its own process (--workers N).
import * as zmq from "zeromq"
import { fileURLToPath } from "node:url"
import { IOLoop } from "@zmq-eventloop/ioloop"
import { ZMQStream } from "@zmq-eventloop/zmqstream"
import { endpoint, integerOption, parseCommandLine } from "../lib/cli.mjs"
import { stopOnSignals } from "../lib/deadline.mjs"

/** Connects a worker named `name` to `backend` on `loop`; returns its stream. */
export function startWorker(backend, { name, maxDelay = 20, loop = IOLoop.current() }) {
  // mandatory: a plain ROUTER silently drops a reply to a server whose pipe is full or that has gone away;
  // with ZMQ_ROUTER_MANDATORY the stream waits for room instead, and a server that is gone is reported.
  const socket = new zmq.Router({ linger: 0, mandatory: true })
  socket.connect(backend)
  const stream = new ZMQStream(socket, loop)
  stream.onErr((error) => console.error(`worker ${name}: a reply could not be sent: ${error.message}`))
  let answered = 0
  // A request is [server routing id, request id, payload]; the reply keeps the first two frames so the
  // ROUTER routes it back to the server, which matches the request id to its waiting HTTP response.
  stream.onRecv(([server, requestId, payload]) => {
    loop.callLater(Math.random() * maxDelay, () => {
      const answer = `${payload} to you too, #${++answered} from worker ${name}`
      stream.sendMultipart([server, requestId, answer])
    })
  })
  return stream
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const {
    values: { name = `pid ${process.pid}`, delay },
    positionals: [backend],
  } = parseCommandLine({
    usage: "node examples/asyncweb/worker.mjs <backend endpoint> [--name NAME] [--delay MAX_MS]",
    options: {
      name: { type: "string", arg: "NAME", help: "shown in its answers (default: the pid)" },
      delay: integerOption("MAX_MS", 20, "longest delay", 0),
    },
    positionals: { min: 1, max: 1, parse: [endpoint] },
  })
  const loop = new IOLoop()
  const stream = startWorker(backend, { name, maxDelay: delay, loop })
  console.log(`worker ${name} connected to ${backend}`)
  stopOnSignals(loop, `worker ${name}`)
  await loop.start()
  stream.close()
  loop.close()
}
