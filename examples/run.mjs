// `pnpm example [name]`: runs one example in a self-contained demo mode and exits 0 when it is done.
//
//   node examples/run.mjs              runs echostream
//   node examples/run.mjs <name>       runs that example (server/client pairs: starts both)
//   node examples/run.mjs --list       lists the examples
//
// Each demo starts the example's programs as examples/README.md shows, and has a deadline: past --timeout
// the runner says which programs are still running, stops them all and exits 1. The programs that have a
// deadline of their own get the demo's, less a margin (`within`), so on a slow machine the program that
// waits says what it waits for, instead of failing on a default meant for a person at a terminal.
import { integerOption, parseCommandLine } from "./lib/cli.mjs"
import { start, stillRunning, stopAll } from "./lib/demo.mjs"

/** How much sooner than the demo's deadline a program's own deadline is: time to say what it waited for. */
const PROGRAM_MARGIN_MS = 5000

const examples = {
  echo: {
    about: "REP echo server on IOLoop.addHandler, and a client that sends a few messages (pyzmq echo.py)",
    async demo() {
      const server = start("server", "echo/server.mjs")
      const [endpoint] = await server.waitFor(/tcp:\/\/\S+/)
      return start("client", "echo/client.mjs", [endpoint, ...within("--timeout")]).exited
    },
  },
  echostream: {
    about: "ROUTER echo server and DEALER client on ZMQStream in one process, with round trips and rate",
    demo: () => start("echostream", "echostream/echostream.mjs", within("--timeout")).exited,
  },
  pubsub: {
    about: "PUB ticks from a PeriodicCallback to SUB streams; an ExceptionStackContext contains an error",
    demo: () => start("pubsub", "pubsub/pubsub.mjs", within("--timeout")).exited,
  },
  asyncweb: {
    about: "node:http front end answering each request through a pool of zmq workers (pyzmq asyncweb.py)",
    async demo() {
      const server = start("server", "asyncweb/server.mjs")
      const [url] = await server.waitFor(/http:\/\/\S+/)
      return start("client", "asyncweb/client.mjs", [url, "--requests", "5", ...within("--timeout")]).exited
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
      return start("client", "broker/client.mjs", [frontend, "--requests", "10", ...within("--timeout")])
        .exited
    },
  },
  "lazy-pirate": {
    about:
      "zguide's Lazy Pirate client (poll, retry, give up) on a Poller, and a REP server that drops requests",
    async demo() {
      const server = start("server", "lazy-pirate/server.mjs", ["--drop-every", "3"])
      const [endpoint] = await server.waitFor(/tcp:\/\/\S+/)
      const args = [endpoint, "--requests", "6", "--timeout", "1000", ...within("--deadline")]
      return start("client", "lazy-pirate/client.mjs", args).exited
    },
  },
  ironhouse: {
    about:
      "CURVE echo server and client with the IOLoopAuthenticator: known keys only (pyzmq ioloop-ironhouse.py)",
    demo: () => start("ironhouse", "ironhouse/ironhouse.mjs", within("--timeout")).exited,
  },
  "jupyter-kernel": {
    about:
      "a JavaScript Jupyter kernel (protocol 5.4): channels on an IOLoop in a worker, cells on the main thread",
    demo: () => start("kernel", "jupyter-kernel/self-check.mjs", within("--timeout")).exited,
  },
}

const {
  values: { list, timeout },
  positionals: [name = "echostream"],
} = parseCommandLine({
  usage: "node examples/run.mjs [name] [--timeout MS] | --list",
  options: {
    list: { type: "boolean", help: "list the examples, one per line" },
    timeout: integerOption("MS", 60000, "the deadline of the demo"),
  },
  positionals: { max: 1 },
})

/** A program's own deadline option, set to the demo's less `PROGRAM_MARGIN_MS` (at least a second). */
function within(option) {
  return [option, String(Math.max(timeout - PROGRAM_MARGIN_MS, 1000))]
}

if (list) {
  for (const [name, { about }] of Object.entries(examples)) console.log(`${name.padEnd(16)}${about}`)
} else if (!Object.hasOwn(examples, name)) {
  console.error(`unknown example "${name}"; one of: ${Object.keys(examples).join(", ")} (or --list)`)
  process.exitCode = 2
} else {
  // Ctrl-C (or a SIGTERM) stops the demo on purpose: lib/demo.mjs stops its programs and exits 128 + n,
  // and the programs' exits by its SIGTERM are no failure.
  let interrupted = false
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => {
      interrupted = true
      console.error(`example ${name} stopped (${signal})`)
    })
  }
  let timer
  const expired = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no exit after ${timeout} ms; still running: ${stillRunning().join(", ")}`)),
      timeout,
    )
  })
  try {
    const status = await Promise.race([examples[name].demo(), expired])
    if (status !== 0) throw new Error(`exited with ${status}`)
  } catch (error) {
    if (!interrupted) console.error(`example ${name} failed: ${error.message}`)
    process.exitCode = 1
  } finally {
    clearTimeout(timer)
    await stopAll()
  }
}
