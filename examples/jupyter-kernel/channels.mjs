// The kernel's ZeroMQ channels, on an IOLoop of their own in a worker_threads worker (kernel.mjs starts
// it). User code runs on the main thread and can block it for as long as it likes: the control channel
// lives here, and the heartbeat on a worker of its own that this one starts (heartbeat.mjs), so a busy cell
// still answers pings, interrupts and shutdowns.
//
// What crosses the thread boundary (postMessage, in order, so outputs keep their order on iopub):
//   worker -> main  { kind: "request", channel, request }     a verified shell/control/stdin message
//                   { kind: "synced" }                        answer to "sync", once the shell socket's
//                                                             pending requests are forwarded (Kernel.abortQueued)
//                   { kind: "exit" }                          sockets closed after shutdown: exit now
//   main -> worker  { kind: "send", channel, message: { msgType, content, parent, metadata, buffers },
//                     identities }                              sign and send (iopub: publish)
//                   { kind: "write", name, text, parent }     stream text, batched here (stream-batch.mjs)
//                   { kind: "sync" }
import * as zmq from "zeromq"
import { existsSync, writeFileSync } from "node:fs"
import { parentPort, Worker, workerData } from "node:worker_threads"
import { IOLoop, PeriodicCallback } from "@zmq-eventloop/ioloop"
import { POLLIN, POLLOUT, ZMQStream } from "@zmq-eventloop/zmqstream"
import { Session } from "./session.mjs"
import { StreamBacklog } from "./stream-backlog.mjs"
import { StreamBatch } from "./stream-batch.mjs"
import { kernelInfo } from "./kernel-info.mjs"
import { log, loopLogger } from "./log.mjs"

/** @type {{ connectionFile: string, config: object, interruptMode: "signal" | "message", verbose: boolean, backlogBuffer: SharedArrayBuffer }} */
const { connectionFile, config, interruptMode, verbose, backlogBuffer } = workerData
const loop = new IOLoop({ logger: loopLogger })
const session = new Session({ key: config.key, signatureScheme: config.signature_scheme })

// One socket per channel. tcp endpoints are ip:port, ipc ones path-port (jupyter_client's convention).
const tcp = config.transport !== "ipc"

/** Where `channel` binds: its port, or (given as 0) a free one, found by the bind (tcp) or here (ipc). */
function endpointOf(channel) {
  if (!tcp && !config[`${channel}_port`]) config[`${channel}_port`] = freeIpcPort()
  const port = config[`${channel}_port`]
  return tcp ? `tcp://${config.ip}:${port || "*"}` : `ipc://${config.ip}-${port}`
}

/** Notes the port a tcp bind chose for `channel`, for the connection file. */
function noteBound(channel, endpoint) {
  if (tcp) config[`${channel}_port`] = Number(new URL(endpoint.replace("tcp", "http")).port)
}

async function bindChannel(channel, socket) {
  await socket.bind(endpointOf(channel))
  noteBound(channel, socket.lastEndpoint)
  const stream = new ZMQStream(socket, loop)
  // A reply that could not be sent is logged, not lost in silence.
  stream.onSend((msg, status) => status && log(`could not send on ${channel}: ${status.message}`))
  return stream
}
/**
 * An ipc "port" given as 0: the first number from 1 whose path no channel uses and no file holds, as
 * ipykernel picks it (all five channels bound `path-0` before, one socket file for all).
 */
function freeIpcPort() {
  const taken = new Set(["hb", "shell", "control", "stdin", "iopub"].map((name) => config[`${name}_port`]))
  let port = 1
  while (taken.has(port) || existsSync(`${config.ip}-${port}`)) port++
  return port
}

/**
 * iopub: an XPUB (protocol 5.4) in manual mode (ZMQ_XPUB_MANUAL), so that it can greet each new frontend
 * with iopub_welcome before anything else reaches it. libzmq then holds each subscription until the kernel
 * applies it here, after reading it. (Applied by libzmq itself, a subscription counts from the first call
 * on the socket after it arrives: a status published before the kernel had read it reached the new frontend
 * ahead of its welcome.)
 */
class IopubSocket extends zmq.XPublisher {
  constructor(options) {
    super({ ...options, manual: true })
  }

  /** Applies a subscription ([1, topic...]) or unsubscription ([0, topic...]) to the frontend that sent it. */
  apply(event) {
    const ZMQ_SUBSCRIBE = 6
    const ZMQ_UNSUBSCRIBE = 7
    this.setStringOption(event[0] === 1 ? ZMQ_SUBSCRIBE : ZMQ_UNSUBSCRIBE, event.subarray(1))
  }
}

// mandatory on the ROUTERs: a reply to a frontend whose pipe is full waits for room instead of being
// dropped, and one to a frontend that is gone is logged (EHOSTUNREACH).
/** Starts the heartbeat's worker; resolves with it once its socket is bound. */
function startHeartbeat() {
  const worker = new Worker(new URL("heartbeat.mjs", import.meta.url), {
    workerData: { endpoint: endpointOf("hb") },
  })
  return new Promise((resolve, reject) => {
    worker.once("error", reject)
    worker.once("message", ({ bound, failed }) => {
      if (failed !== undefined) return reject(new Error(`the heartbeat could not bind: ${failed}`))
      noteBound("hb", bound)
      resolve(worker)
    })
  })
}

const options = { linger: 1000 }
const heartbeat = await startHeartbeat()
const streams = {
  shell: await bindChannel("shell", new zmq.Router({ ...options, mandatory: true })),
  control: await bindChannel("control", new zmq.Router({ ...options, mandatory: true })),
  stdin: await bindChannel("stdin", new zmq.Router({ ...options, mandatory: true })),
  iopub: await bindChannel("iopub", new IopubSocket(options)),
}
writeFileSync(connectionFile, JSON.stringify(config, null, 2)) // the real ports, if any were 0

/** `message`'s frames, signed, for `channel`; on iopub the topic is ipykernel's `kernel.<id>.<type>`. */
function signedFrames(channel, message, identities = []) {
  const topic = channel === "iopub" ? [`kernel.${session.id}.${message.header.msg_type}`] : identities
  return session.serialize(message, topic)
}
/** Signs `message` and queues it on `channel`'s stream. */
function sendSigned(channel, message, identities = []) {
  streams[channel].sendMultipart(signedFrames(channel, message, identities))
}
const backlog = new StreamBacklog(backlogBuffer)
const streamText = new StreamBatch(loop, backlog, (name, text, parent) =>
  sendSigned("iopub", session.message("stream", { name, text }, parent)),
)
/** Sends `message` after the stream text written before it, so outputs keep the order they were made in. */
function send(channel, message, identities = []) {
  streamText.flush()
  sendSigned(channel, message, identities)
}
const publish = (msgType, content, parent = {}) => send("iopub", session.message(msgType, content, parent))

// jupyter console (up to 6.6) takes the kernel_info_reply for "ready", runs the first cell at once and
// waits for that cell's `status: idle` on iopub, without a deadline. Its iopub socket, refused while the
// kernel was starting, retries on a reconnect timer of its own (100-200 ms) and can connect after the
// shell's: an idle published before its subscription arrived was lost, and the console hung. So shell
// requests wait for the first iopub subscription, for at most FIRST_SUBSCRIBER_WAIT_MS from the start
// (a client without iopub gets its first replies late, not never).
const FIRST_SUBSCRIBER_WAIT_MS = 2000
/** Shell requests that came before the first subscription; null once it came, or the wait ended. */
let heldShell = []
const shellWait = loop.callLater(FIRST_SUBSCRIBER_WAIT_MS, () => {
  if (verbose) log(`no iopub subscriber ${FIRST_SUBSCRIBER_WAIT_MS} ms after the start: shell goes on`)
  releaseShell()
})

function releaseShell() {
  if (heldShell === null) return
  loop.removeTimeout(shellWait)
  const held = heldShell
  heldShell = null
  for (const request of held) parentPort.postMessage({ kind: "request", channel: "shell", request })
}

// A subscription arrives as [1, topic...], an unsubscription as [0, topic...]. The stream hands them over
// one at a time, each right after libzmq did, as manual mode needs: `apply` acts on the last one read.
// The welcome goes to libzmq at once, past the stream's queue: a status queued before the subscription
// was applied would otherwise reach the new frontend first. (Other frontends may see it overtake
// messages still queued; a welcome is only for the frontend it names by its subscription.)
streams.iopub.onRecv(([event]) => {
  if (event[0] !== 0 && event[0] !== 1) return
  const iopub = streams.iopub.socket
  iopub.apply(event)
  if (event[0] !== 1) return
  const welcome = session.message("iopub_welcome", { subscription: event.subarray(1).toString() })
  iopub
    .send(signedFrames("iopub", welcome))
    .catch((error) => log(`could not send iopub_welcome: ${error.message}`))
  releaseShell()
})

/** The verified message in `frames`, or null (logged) when it is malformed or badly signed. */
function receive(channel, frames) {
  try {
    return session.deserialize(frames)
  } catch (error) {
    log(`dropped a message on ${channel}: ${error.message}`)
    return null
  }
}

const forward = (channel) => (frames) => {
  const request = receive(channel, frames)
  if (!request) return
  if (channel === "shell" && heldShell !== null) heldShell.push(request)
  else parentPort.postMessage({ kind: "request", channel, request })
}
streams.shell.onRecv(forward("shell"))
streams.stdin.onRecv(forward("stdin"))

// Control is answered here, so that it works while a cell keeps the main thread busy.
const controlHandlers = {
  kernel_info_request: () => ["kernel_info_reply", kernelInfo(interruptMode)],
  interrupt_request() {
    // The main thread handles SIGINT (vm's breakOnSigint stops synchronous code); in message mode the
    // kernel sends it to itself, so both modes take the same path: to its process group when it leads one
    // (jupyter_client starts it so), as ipykernel does, so a child process a cell waits for stops too.
    try {
      process.kill(-process.pid, "SIGINT")
    } catch {
      process.kill(process.pid, "SIGINT") // not a group leader: no group of that id
    }
    return ["interrupt_reply", { status: "ok" }]
  },
  shutdown_request: ({ restart = false }) => ["shutdown_reply", { status: "ok", restart }],
}
streams.control.onRecv(async (frames) => {
  const request = receive("control", frames)
  if (!request) return
  const type = request.header.msg_type
  const handler = Object.hasOwn(controlHandlers, type) ? controlHandlers[type] : undefined
  if (!handler) return log(`unsupported message type ${type} on control, ignored`)
  publish("status", { execution_state: "busy" }, request.header)
  const [replyType, content] = handler(request.content ?? {})
  send("control", session.message(replyType, content, request.header), request.identities)
  if (type === "shutdown_request") publish(replyType, content, request.header) // ipykernel does too
  publish("status", { execution_state: "idle" }, request.header)
  await streams.control.flush(POLLOUT)
  if (type === "shutdown_request") shutDown(`shutdown_request${content.restart ? " (restart)" : ""}`)
})

let closed = false
// Notes that came while a sync's flush was still reading: handled after it, in order. The main thread's
// reply to a failed cell comes right after its sync, and must not go out before the flush is done: a
// frontend may send its next request as soon as it has the reply, and that one must not be aborted.
let afterSync = null
parentPort.on("message", onNote)

function onNote(note) {
  if (afterSync !== null) {
    afterSync.push(note)
  } else if (note.kind === "sync" && !closed) {
    // Forward what the shell socket holds first: requests a frontend queued behind a failed cell.
    afterSync = []
    streams.shell
      .flush(POLLIN)
      .catch((error) => log(`the shell flush before "synced" failed: ${error}`))
      .then(() => {
        parentPort.postMessage({ kind: "synced" })
        const waiting = afterSync
        afterSync = null
        for (const next of waiting) onNote(next)
      })
  } else {
    handleNote(note)
  }
}

function handleNote(note) {
  // The main thread may still send after the sockets closed: the idle of a request that raced the
  // shutdown, say. Nothing can carry it any more.
  if (closed) {
    if (verbose) log(`after the shutdown, not sent: ${note.kind} ${note.message?.msgType ?? ""}`)
    if (note.kind === "write") backlog.remove(StreamBacklog.unitsOf(note.text)) // the cell may be waiting
  } else if (note.kind === "write") {
    streamText.add(note.name, note.text, note.parent)
  } else if (note.kind === "send") {
    const { msgType, content, parent, metadata, buffers } = note.message
    const message = session.message(msgType, content, parent, metadata)
    message.buffers = buffers ?? []
    send(note.channel, message, note.identities)
  }
}

let stopping = false
function shutDown(reason) {
  if (stopping) return
  stopping = true
  if (verbose) log(`shutting down: ${reason}`)
  loop.addCallback(() => {
    streamText.flush()
    loop.stop()
  })
}

// Like ipykernel's ParentPollerUnix: if the process that started us dies, go too (no orphan kernels).
const parent = process.ppid
new PeriodicCallback(
  () => process.ppid !== parent && shutDown("its parent process exited"),
  1000,
  loop,
).start()

publish("status", { execution_state: "starting" })
if (verbose)
  log(
    `ready: ${config.transport}://${config.ip} shell ${config.shell_port} (connection file ${connectionFile})`,
  )
await loop.start()
closed = true
for (const stream of Object.values(streams)) stream.close()
loop.close()
heartbeat.postMessage("stop")
await new Promise((resolve) => heartbeat.once("exit", resolve))
parentPort.postMessage({ kind: "exit" })
// The main thread exits on that message, unless a cell keeps it busy: then the kernel still goes.
const MAIN_THREAD_GRACE_MS = 5000
setTimeout(() => {
  log(`the main thread is still busy ${MAIN_THREAD_GRACE_MS} ms after the shutdown: killing the kernel`)
  process.kill(process.pid, "SIGKILL")
}, MAIN_THREAD_GRACE_MS).unref()
