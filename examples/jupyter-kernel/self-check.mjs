// A self-check of the kernel without Jupyter installed: starts kernel.mjs on a fresh connection file
// (ports 0, which the kernel binds and writes back), then acts as a minimal frontend on ZMQStreams:
// the iopub_welcome of protocol 5.4, kernel_info, a JavaScript cell with top-level await whose result
// arrives on iopub, and a shutdown on control. Exits 0 when all
// went as expected; past --timeout it says what has not come and exits 1. (`pnpm example jupyter-kernel`
// runs this; examples/README.md shows the real thing.)
//
//   node examples/jupyter-kernel/self-check.mjs [--timeout MS]      (default 20000 ms)
import * as zmq from "zeromq"
import { spawn } from "node:child_process"
import { randomUUID } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { once } from "node:events"
import { createInterface } from "node:readline"
import { IOLoop } from "@zmq-eventloop/ioloop"
import { ZMQStream } from "@zmq-eventloop/zmqstream"
import { parseCommandLine, timeoutOption } from "../lib/cli.mjs"
import { watchdog } from "../lib/deadline.mjs"
import { Session } from "./session.mjs"

const {
  values: { timeout },
} = parseCommandLine({
  usage: "node examples/jupyter-kernel/self-check.mjs [--timeout MS]",
  options: { timeout: timeoutOption(20000) },
})
// What has not come yet, for the watchdog's line; each step deletes its entry.
const awaited = new Set([
  "the kernel's ready line",
  "iopub_welcome",
  "kernel_info_reply",
  "execute_reply",
  "execute_result",
  "shutdown_reply",
  "the kernel's exit",
])
const deadline = watchdog(
  "jupyter-kernel self-check",
  timeout,
  () => `still waiting for ${[...awaited].join(", ")}`,
)

const dir = mkdtempSync(join(tmpdir(), "js-kernel-"))
const file = join(dir, "connection.json")
const ports = { shell_port: 0, iopub_port: 0, stdin_port: 0, control_port: 0, hb_port: 0 }
const key = randomUUID()
writeFileSync(
  file,
  JSON.stringify({ ...ports, ip: "127.0.0.1", transport: "tcp", key, signature_scheme: "hmac-sha256" }),
)

const kernelPath = fileURLToPath(new URL("kernel.mjs", import.meta.url))
// --verbose: the kernel says when it is ready (it has bound its ports and written them to the file).
const kernel = spawn(process.execPath, [kernelPath, "-f", file, "--verbose"], {
  stdio: ["ignore", "inherit", "pipe"],
})
// On any exit, the watchdog's included: no kernel (a no-op once it has exited) and no file left behind.
process.once("exit", () => {
  kernel.kill()
  rmSync(dir, { recursive: true, force: true })
})
const exited = once(kernel, "exit")
await new Promise((resolve, reject) => {
  createInterface({ input: kernel.stderr }).on("line", (line) => {
    console.error(line)
    if (/\] ready: /.test(line)) resolve()
  })
  exited.then(() => reject(new Error("the kernel exited before it was ready")))
})
awaited.delete("the kernel's ready line")
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

// iopub drops what it publishes before our subscription has arrived; the kernel's iopub_welcome says
// that it has (protocol 5.4), so kernel_info waits for it and the execute's output cannot be lost.
const CELL = "const answer = await Promise.resolve(6)\nanswer * 7"
let executeId = null
let replies = 0
const afterExecute = () => ++replies === 2 && request(control, "shutdown_request", { restart: false })
iopub.onRecv((frames) => {
  const { header, parent_header, content } = session.deserialize(frames)
  if (header.msg_type === "iopub_welcome") {
    awaited.delete("iopub_welcome")
    request(shell, "kernel_info_request")
  }
  if (header.msg_type === "execute_result" && parent_header.msg_id === executeId) {
    awaited.delete("execute_result")
    check(
      content.data["text/plain"] === "42",
      `iopub execute_result of ${JSON.stringify(CELL)} is ${content.data["text/plain"]}`,
    )
    afterExecute()
  }
})
shell.onRecv((frames) => {
  const { header, content } = session.deserialize(frames)
  if (header.msg_type === "kernel_info_reply") {
    awaited.delete("kernel_info_reply")
    check(content.protocol_version === "5.4", `kernel_info_reply: protocol ${content.protocol_version}`)
    executeId = request(shell, "execute_request", { code: CELL, silent: false })
  } else if (header.msg_type === "execute_reply") {
    awaited.delete("execute_reply")
    check(content.status === "ok", `execute_reply: ${content.status}`)
    afterExecute()
  }
})
control.onRecv((frames) => {
  const { header } = session.deserialize(frames)
  awaited.delete("shutdown_reply")
  check(header.msg_type === "shutdown_reply", header.msg_type)
  loop.stop()
})
await loop.start()
for (const stream of [shell, control, iopub]) stream.close()
loop.close()
const [code] = await exited
awaited.delete("the kernel's exit")
deadline.cancel()
check(code === 0, `the kernel exited with ${code}`)
process.exitCode = failures.length === 0 ? 0 : 1
