// `pnpm example [name]`: runs one example in a self-contained demo mode and exits 0 when it is done.
//
//   node examples/run.mjs              runs echostream
//   node examples/run.mjs <name>       runs that example (server/client pairs: starts both)
//   node examples/run.mjs --list       lists the examples
//
// Each demo starts the example's programs exactly as examples/README.md shows.
import { start, stopAll } from "./lib/demo.mjs"

const examples = {
  echo: {
    about: "REP echo server on IOLoop.addHandler, and a client that sends a few messages (pyzmq echo.py)",
    async demo() {
      const server = start("server", "echo/server.mjs")
      const [endpoint] = await server.waitFor(/tcp:\/\/\S+/)
      return start("client", "echo/client.mjs", [endpoint]).exited
    },
  },
  echostream: {
    about: "ROUTER echo server and DEALER client on ZMQStream in one process, with round trips and rate",
    demo: () => start("echostream", "echostream/echostream.mjs").exited,
  },
  pubsub: {
    about: "PUB ticks from a PeriodicCallback to SUB streams; an ExceptionStackContext contains an error",
    demo: () => start("pubsub", "pubsub/pubsub.mjs").exited,
  },
  asyncweb: {
    about: "node:http front end answering each request through a pool of zmq workers (pyzmq asyncweb.py)",
    async demo() {
      const server = start("server", "asyncweb/server.mjs")
      const [url] = await server.waitFor(/http:\/\/\S+/)
      return start("client", "asyncweb/client.mjs", [url, "--requests", "5"]).exited
    },
  },
  broker: {
    about: "load-balancing broker with heartbeats, and worker and client programs taking tcp endpoints",
    async demo() {
      const broker = start("broker", "broker/broker.mjs")
      const [, frontend] = await broker.waitFor(/frontend (\S+)/)
      const [, backend] = await broker.waitFor(/backend (\S+)/)
      start("worker-1", "broker/worker.mjs", [backend, "--name", "w1"])
      start("worker-2", "broker/worker.mjs", [backend, "--name", "w2"])
      return start("client", "broker/client.mjs", [frontend, "--requests", "10"]).exited
    },
  },
  ironhouse: {
    about:
      "CURVE echo server and client with the IOLoopAuthenticator: known keys only (pyzmq ioloop-ironhouse.py)",
    demo: () => start("ironhouse", "ironhouse/ironhouse.mjs").exited,
  },
  "jupyter-kernel": {
    about: "a Jupyter kernel (protocol 5.3) on ZMQStream for a tiny calculator language",
    demo: () => start("kernel", "jupyter-kernel/self-check.mjs").exited,
  },
}

const arg = process.argv[2] ?? "echostream"
if (arg === "--list") {
  for (const [name, { about }] of Object.entries(examples)) console.log(`${name.padEnd(16)}${about}`)
} else if (!Object.hasOwn(examples, arg)) {
  console.error(`unknown example "${arg}"; one of: ${Object.keys(examples).join(", ")} (or --list)`)
  process.exitCode = 2
} else {
  try {
    const status = await examples[arg].demo()
    if (status !== 0) throw new Error(`exited with ${status}`)
  } catch (error) {
    console.error(`example ${arg} failed: ${error.message}`)
    process.exitCode = 1
  } finally {
    await stopAll()
  }
}
