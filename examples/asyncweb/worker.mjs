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

/** Connects a worker named `name` to `endpoint` on `loop`; returns its stream. */
export function startWorker(endpoint, { name, maxDelay = 20, loop = IOLoop.current() }) {
  const socket = new zmq.Router({ linger: 0 })
  socket.connect(endpoint)
  const stream = new ZMQStream(socket, loop)
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
  const [endpoint] = process.argv.slice(2)
  if (!endpoint?.includes("://")) {
    console.error(
      "usage: node examples/asyncweb/worker.mjs <backend endpoint> [--name NAME] [--delay MAX_MS]",
    )
    process.exit(2)
  }
  const option = (flag, fallback) => {
    const i = process.argv.indexOf(flag)
    return i > 0 ? process.argv[i + 1] : fallback
  }
  const name = option("--name", `pid ${process.pid}`)
  const loop = new IOLoop()
  const stream = startWorker(endpoint, { name, maxDelay: Number(option("--delay", 20)), loop })
  console.log(`worker ${name} connected to ${endpoint}`)
  const stop = () => loop.addCallback(() => loop.stop())
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
  await loop.start()
  stream.close()
  loop.close()
}
