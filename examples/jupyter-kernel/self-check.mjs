// A self-check of the kernel without Jupyter installed: starts kernel.mjs on a fresh connection file
// (ports 0, which the kernel binds and writes back), then acts as a minimal frontend on ZMQStreams:
// kernel_info, an execute whose result arrives on iopub, and a shutdown on control. Exits 0 when all
// went as expected. (`pnpm example jupyter-kernel` runs this; examples/README.md shows the real thing.)
//
//   node examples/jupyter-kernel/self-check.mjs
import * as zmq from "zeromq"
import { spawn } from "node:child_process"
import { randomUUID } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { once } from "node:events"
import { IOLoop } from "@zmq-eventloop/ioloop"
import { ZMQStream } from "@zmq-eventloop/zmqstream"
import { Session } from "./session.mjs"

const dir = mkdtempSync(join(tmpdir(), "calc-kernel-"))
const file = join(dir, "connection.json")
const ports = { shell_port: 0, iopub_port: 0, stdin_port: 0, control_port: 0, hb_port: 0 }
const key = randomUUID()
writeFileSync(
  file,
  JSON.stringify({ ...ports, ip: "127.0.0.1", transport: "tcp", key, signature_scheme: "hmac-sha256" }),
)

const kernelPath = fileURLToPath(new URL("kernel.mjs", import.meta.url))
const kernel = spawn(process.execPath, [kernelPath, "-f", file], { stdio: ["ignore", "inherit", "pipe"] })
const exited = once(kernel, "exit")
kernel.stderr.pipe(process.stderr)
await new Promise((resolve, reject) => {
  kernel.stderr.on("data", (chunk) => chunk.includes("ready") && resolve())
  exited.then(() => reject(new Error("the kernel exited before it was ready")))
})
const config = JSON.parse(readFileSync(file, "utf8"))
const endpoint = (channel) => `tcp://127.0.0.1:${config[`${channel}_port`]}`

const loop = new IOLoop()
const session = new Session({ key })
const connect = (socket, channel) => (socket.connect(endpoint(channel)), new ZMQStream(socket, loop))
const shell = connect(new zmq.Dealer({ linger: 0 }), "shell")
const control = connect(new zmq.Dealer({ linger: 0 }), "control")
const iopubSocket = new zmq.Subscriber({ linger: 0 })
iopubSocket.subscribe()
const iopub = connect(iopubSocket, "iopub")

const request = (stream, type, content = {}) => {
  const message = session.message(type, content)
  stream.sendMultipart(session.serialize(message))
  return message.header.msg_id
}
const failures = []
const check = (ok, what) => (console.log(`${ok ? "ok  " : "FAIL"} ${what}`), ok || failures.push(what))

// A PUB drops what it sends before the SUB has joined: like jupyter_client's wait_for_ready, ask for
// kernel_info until its busy/idle status shows up on iopub too, then execute.
let iopubReady = false
let executeId = null
let replies = 0
const afterExecute = () => ++replies === 2 && request(control, "shutdown_request", { restart: false })
iopub.onRecv((frames) => {
  const { header, parent_header, content } = session.deserialize(frames)
  if (header.msg_type === "status") iopubReady = true
  if (header.msg_type === "execute_result" && parent_header.msg_id === executeId) {
    check(
      content.data["text/plain"] === "7",
      `iopub execute_result of 1 + 2 * 3 is ${content.data["text/plain"]}`,
    )
    afterExecute()
  }
})
shell.onRecv((frames) => {
  const { header, content } = session.deserialize(frames)
  if (header.msg_type === "kernel_info_reply") {
    if (!iopubReady) return loop.callLater(100, () => request(shell, "kernel_info_request"))
    check(content.protocol_version === "5.3", `kernel_info_reply: protocol ${content.protocol_version}`)
    executeId = request(shell, "execute_request", { code: "1 + 2 * 3", silent: false })
  } else if (header.msg_type === "execute_reply") {
    check(content.status === "ok", `execute_reply: ${content.status}`)
    afterExecute()
  }
})
control.onRecv((frames) => {
  const { header } = session.deserialize(frames)
  check(header.msg_type === "shutdown_reply", header.msg_type)
  loop.stop()
})
const timer = loop.callLater(10000, () => (failures.push("no answer in 10 s"), loop.stop()))
request(shell, "kernel_info_request")
await loop.start()
loop.removeTimeout(timer)
for (const stream of [shell, control, iopub]) stream.close()
loop.close()
const [code] = await exited
check(code === 0, `the kernel exited with ${code}`)
rmSync(dir, { recursive: true, force: true })
process.exitCode = failures.length === 0 ? 0 : 1
