// A Jupyter kernel on ZMQStream for "calc" (language.mjs), speaking the messaging protocol 5.3.
//
//   node examples/jupyter-kernel/kernel.mjs -f <connection file> [--verbose]
//
// Jupyter starts it from its kernelspec (install it with install.mjs). The connection file gives the
// transport, ip, five ports, the HMAC key and signature scheme; ports given as 0 are bound to free ports
// and written back to the file, as ipykernel does. It writes to stderr only when something goes wrong (a
// message dropped, a reply that could not be sent); --verbose adds when it is ready and when it stops.
import * as zmq from "zeromq"
import { readFileSync, writeFileSync } from "node:fs"
import { IOLoop, PeriodicCallback } from "@zmq-eventloop/ioloop"
import { ZMQStream } from "@zmq-eventloop/zmqstream"
import { parseCommandLine } from "../lib/cli.mjs"
import { stopOnSignals } from "../lib/deadline.mjs"
import { Session } from "./session.mjs"
import { Kernel, KERNEL_NAME } from "./handlers.mjs"

const {
  values: { "connection-file": connectionFile, verbose },
} = parseCommandLine({
  usage: "node examples/jupyter-kernel/kernel.mjs -f <connection file> [--verbose]",
  options: {
    "connection-file": {
      type: "string",
      short: "f",
      arg: "FILE",
      required: true,
      help: "written by Jupyter",
    },
    verbose: { type: "boolean", help: "also say when the kernel is ready and when it stops" },
  },
})
const config = JSON.parse(readFileSync(connectionFile, "utf8"))
const log = (line) => console.error(`[${KERNEL_NAME} ${new Date().toISOString()}] ${line}`)
const debug = verbose ? log : () => {}

const loop = new IOLoop()

// One socket per channel. tcp endpoints are ip:port, ipc ones path-port (jupyter_client's convention).
async function bindChannel(channel, socket) {
  const port = config[`${channel}_port`]
  const tcp = config.transport !== "ipc"
  await socket.bind(tcp ? `tcp://${config.ip}:${port || "*"}` : `ipc://${config.ip}-${port}`)
  if (tcp && !port)
    config[`${channel}_port`] = Number(new URL(socket.lastEndpoint.replace("tcp", "http")).port)
  const stream = new ZMQStream(socket, loop)
  stream.channel = channel // for log lines (Jupyter's servers tag their streams the same way)
  // A reply that could not be sent is logged, not lost in silence.
  stream.onSend((msg, status) => status && log(`could not send on ${channel}: ${status.message}`))
  return stream
}
// mandatory on the ROUTERs: a plain ROUTER silently drops a reply to a frontend whose pipe is full or that
// has gone away; with ZMQ_ROUTER_MANDATORY the stream waits for room instead, and a frontend that is gone
// gets the log line above (EHOSTUNREACH). iopub is a PUB by the protocol: what a frontend has no room for
// is dropped, as with ipykernel, and a frontend learns that it has joined from its kernel_info status.
const options = { linger: 1000 }
const hb = await bindChannel("hb", new zmq.Reply(options))
const shell = await bindChannel("shell", new zmq.Router({ ...options, mandatory: true }))
const control = await bindChannel("control", new zmq.Router({ ...options, mandatory: true }))
const stdin = await bindChannel("stdin", new zmq.Router({ ...options, mandatory: true }))
const iopub = await bindChannel("iopub", new zmq.Publisher(options))
writeFileSync(connectionFile, JSON.stringify(config, null, 2)) // the real ports, if any were 0

// interrupt_mode is "message", so SIGINT only comes from a terminal: calc has nothing to interrupt.
const stopSoon = stopOnSignals(loop, KERNEL_NAME, ["SIGTERM"])
process.on("SIGINT", () => debug("SIGINT: nothing to interrupt"))

const session = new Session({ key: config.key, signatureScheme: config.signature_scheme })
const kernel = new Kernel({ session, iopub, log, shutdown: () => stopSoon("shutdown_request") })

// Heartbeat: echo every ping at once, so the frontend knows the kernel is alive.
hb.onRecv((msg) => hb.sendMultipart(msg))
// Shell and control carry requests; copy: false hands over Frames (frame.buffer), as ipykernel asks for.
shell.onRecv((frames) => kernel.dispatch(shell, frames), { copy: false })
control.onRecv((frames) => kernel.dispatch(control, frames), { copy: false })
// calc never asks for input, so an input_reply is unexpected; log it rather than drop it silently.
stdin.onRecv(() => log("unexpected message on stdin, ignored"), { copy: false })

// Like ipykernel's ParentPollerUnix: if the process that started us dies, go too (no orphan kernels).
const parent = process.ppid
new PeriodicCallback(
  () => {
    if (process.ppid !== parent) {
      log("parent process exited, shutting down")
      stopSoon("its parent process exited")
    }
  },
  1000,
  loop,
).start()

kernel.publish("status", { execution_state: "starting" })
debug(
  `ready: ${config.transport}://${config.ip} shell ${config.shell_port} (connection file ${connectionFile})`,
)
await loop.start()
for (const stream of [hb, shell, control, stdin, iopub]) stream.close()
loop.close()
debug("shut down")
