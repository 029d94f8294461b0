// A JavaScript kernel for Jupyter (messaging protocol 5.4) on zmq-eventloop.
//
//   node examples/jupyter-kernel/kernel.mjs -f <connection file> [--interrupt-mode signal|message] [--verbose] [FILE ...]
//
// Jupyter starts it from its kernelspec (install it with install.mjs). Two threads: a worker_threads
// worker owns the five ZeroMQ channels on an IOLoop (channels.mjs), so the heartbeat and control channel
// stay answered while a cell busy-loops; this main thread runs the cells (handlers.mjs). Ports given as 0
// in the connection file are bound to free ports and written back, as ipykernel does. It writes to stderr
// only when something goes wrong (a message dropped, a reply that could not be sent); --verbose adds when
// it is ready and when it stops.
import { readFileSync } from "node:fs"
import { Worker } from "node:worker_threads"
import { exitWithUsage, parseCommandLine } from "../lib/cli.mjs"
import { Kernel } from "./handlers.mjs"
import { log } from "./log.mjs"
import { StreamBacklog } from "./stream-backlog.mjs"

const USAGE =
  "node examples/jupyter-kernel/kernel.mjs -f <connection file> [--interrupt-mode MODE] [--verbose] [FILE ...]"
// FILE arguments are taken and ignored: `jupyter run FILE` passes its files on to the kernel's command line
// too (ipykernel ignores them as well), then sends their code as cells.
const {
  values: { "connection-file": connectionFile, "interrupt-mode": interruptMode, verbose },
} = parseCommandLine({
  usage: USAGE,
  positionals: { max: Infinity },
  options: {
    "connection-file": {
      type: "string",
      short: "f",
      arg: "FILE",
      required: true,
      help: "written by Jupyter",
    },
    "interrupt-mode": {
      type: "string",
      arg: "MODE",
      default: "signal",
      help: "the kernelspec's interrupt_mode: signal (SIGINT) or message (interrupt_request)",
    },
    verbose: { type: "boolean", help: "also say when the kernel is ready and when it stops" },
  },
})
if (interruptMode !== "signal" && interruptMode !== "message")
  exitWithUsage(`--interrupt-mode must be signal or message, got ${interruptMode}`, USAGE)

const config = JSON.parse(readFileSync(connectionFile, "utf8"))
const backlog = new StreamBacklog()
const channels = new Worker(new URL("channels.mjs", import.meta.url), {
  workerData: { connectionFile, config, interruptMode, verbose, backlogBuffer: backlog.buffer },
})
const kernel = new Kernel({
  interruptMode,
  send: (channel, message, identities) =>
    channels.postMessage({ kind: "send", channel, message, identities }),
  write(name, text, parent) {
    backlog.add(StreamBacklog.unitsOf(text))
    channels.postMessage({ kind: "write", name, text, parent })
  },
  sync: () => channels.postMessage({ kind: "sync" }),
})
channels.on("message", (note) => {
  if (note.kind === "request") kernel.receive(note.channel, note.request)
  else if (note.kind === "synced") kernel.synced()
  else if (note.kind === "exit") {
    if (verbose) log("shut down")
    process.exit(0)
  }
})
// What a cell's code throws where nothing catches it (a timer's callback, a promise nobody awaits) goes
// to the stderr of the cell that scheduled it, as Node would print it, and the kernel runs on, as ipykernel
// logs a callback's error: Node's default ended the kernel. (An interrupt that stops a cell just after its
// code failed leaves the cell's rejected promise unheard too.)
process.on("uncaughtException", (error) => console.error("Uncaught", error))
process.on("unhandledRejection", (reason) => console.error("Unhandled promise rejection:", reason))

channels.on("error", (error) => {
  log(`the channels worker failed: ${error?.stack ?? error}`)
  process.exit(1)
})
