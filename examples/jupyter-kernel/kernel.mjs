// A Jupyter kernel on ZMQStream for "calc" (language.mjs), speaking the messaging protocol 5.3.
//
//   node examples/jupyter-kernel/kernel.mjs -f <connection file>
//
// Jupyter starts it from its kernelspec (install it with install.mjs). The connection file gives the
// transport, ip, five ports, the HMAC key and signature scheme; ports given as 0 are bound to free ports
// and written back to the file, as ipykernel does. Logs go to stderr.
import * as zmq from "zeromq"
import { readFileSync, writeFileSync } from "node:fs"
import { IOLoop, PeriodicCallback } from "@zmq-eventloop/ioloop"
import { ZMQStream } from "@zmq-eventloop/zmqstream"
import { Session } from "./session.mjs"
import { Kernel, KERNEL_NAME } from "./handlers.mjs"

const fileArg = process.argv.indexOf("-f")
const connectionFile = fileArg > 0 ? process.argv[fileArg + 1] : undefined
if (connectionFile === undefined) {
  console.error("usage: node examples/jupyter-kernel/kernel.mjs -f <connection file>")
  process.exit(2)
}
const config = JSON.parse(readFileSync(connectionFile, "utf8"))
const log = (line) => console.error(`[${KERNEL_NAME} ${new Date().toISOString()}] ${line}`)

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
  return stream
}
const linger = { linger: 1000 }
const hb = await bindChannel("hb", new zmq.Reply(linger))
const shell = await bindChannel("shell", new zmq.Router(linger))
const control = await bindChannel("control", new zmq.Router(linger))
const stdin = await bindChannel("stdin", new zmq.Router(linger))
const iopub = await bindChannel("iopub", new zmq.Publisher(linger))
writeFileSync(connectionFile, JSON.stringify(config, null, 2)) // the real ports, if any were 0

const session = new Session({ key: config.key, signatureScheme: config.signature_scheme })
const kernel = new Kernel({ session, iopub, log, shutdown: () => loop.stop() })

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
      loop.stop()
    }
  },
  1000,
  loop,
).start()

// interrupt_mode is "message", so SIGINT only comes from a terminal: calc has nothing to interrupt.
process.on("SIGINT", () => log("SIGINT: nothing to interrupt"))
process.once("SIGTERM", () => loop.addCallback(() => loop.stop()))

kernel.publish("status", { execution_state: "starting" })
log(
  `ready: ${config.transport}://${config.ip} shell ${config.shell_port} (connection file ${connectionFile})`,
)
await loop.start()
for (const stream of [hb, shell, control, stdin, iopub]) stream.close()
loop.close()
log("shut down")
