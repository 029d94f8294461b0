// A process near its fd limit: the fd poller takes one fd per loop (its epoll set holds each socket's
// ZMQ_FD itself), so streams fit wherever their sockets do. (It once watched each socket through a dup of
// its ZMQ_FD, a second fd per socket, and ran out of fds well before zeromq.js did.) And the first stream's
// data path checks need fds: a stream made while they are short starts on zeromq.js's path and attaches
// the native one once they are back. Run in a child whose fd limit `prlimit` lowers (lowering needs no
// privilege).
import t from "tap"
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { NO_NATIVE_DATA_PATH } from "./helpers/loop.js"
import { CHILD_NODE } from "../../ioloop/test/helpers/child-node.js"

// Node and libzmq take ~25 fds (plain zeromq.js makes 296 sockets under this limit): 260 sockets leave ~35.
const PAIRS = 130
const FD_LIMIT = 320

const program = `
  import * as zmq from "zeromq"
  import { IOLoop } from "@zmq-eventloop/ioloop"
  import { ZMQStream } from "@zmq-eventloop/zmqstream"
  const warnings = []
  const logger = { error: console.error, info() {}, debug() {}, warn: (line) => warnings.push(String(line)) }
  const loop = new IOLoop({ poller: "fd", logger })
  const sockets = []
  for (let i = 0; i < ${PAIRS}; i++) {
    const server = new zmq.Pair()
    await server.bind("inproc://pair-" + i)
    const client = new zmq.Pair()
    client.connect("inproc://pair-" + i)
    sockets.push([server, client])
  }
  let answered = 0
  const streams = []
  for (const [serverSocket, clientSocket] of sockets) {
    const server = new ZMQStream(serverSocket, loop)
    server.onRecv((msg) => server.sendMultipart(msg))
    const client = new ZMQStream(clientSocket, loop)
    client.onRecv(() => { if (++answered === ${PAIRS}) loop.stop() })
    streams.push(server, client)
  }
  loop.addCallback(() => streams.forEach((stream, i) => i % 2 === 1 && stream.send("ping")))
  loop.callLater(20_000, () => loop.stop()) // the deadline: a pair left unanswered then fails the test
  await loop.start()
  console.log(JSON.stringify({ answered, poller: loop.pollerKind, warnings }))
  streams.forEach((stream) => stream.close(0))
  loop.close()
`

const prlimit = spawnSync("prlimit", ["--version"], { encoding: "utf8" })
const skip = prlimit.status === 0 ? false : "util-linux prlimit is not installed"

/** Runs `program` under the fd limit in the package's own folder (it resolves zeromq and our packages by name). */
function runUnderLimit(program: string, limit: number, env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(
    "prlimit",
    [`--nofile=${limit}:${limit}`, CHILD_NODE, "--input-type=module", "-e", program],
    { cwd: fileURLToPath(new URL("..", import.meta.url)), encoding: "utf8", timeout: 60_000, env },
  )
}

t.test("streams fit on the fd poller wherever their sockets fit", { skip }, async (t) => {
  const ran = runUnderLimit(program, FD_LIMIT)
  t.equal(ran.status, 0, "the program runs", { stderr: ran.stderr })
  t.same(
    JSON.parse(ran.stdout.trim() || "{}"),
    { answered: PAIRS, poller: "fd", warnings: [] },
    "every pair answered, on the fd poller, without a warning",
  )
})

const MESSAGES = 100

// Made with 4 fds free: enough for the stream (the fd poller's dup), not for the data path's checks (16).
const shortProgram = `
  import { closeSync, openSync } from "node:fs"
  import * as zmq from "zeromq"
  import { IOLoop, PeriodicCallback } from "@zmq-eventloop/ioloop"
  import { ZMQStream } from "@zmq-eventloop/zmqstream"
  const loop = new IOLoop({ makeCurrent: false, poller: "fd" })
  const pull = new zmq.Pull()
  const push = new zmq.Push()
  await pull.bind("inproc://short")
  push.connect("inproc://short")
  const fillers = []
  try {
    for (;;) fillers.push(openSync("/dev/null", "r"))
  } catch (error) {
    if (error.code !== "EMFILE") throw error
  }
  fillers.splice(0, 4).forEach((fd) => closeSync(fd))
  const stream = new ZMQStream(pull, loop)
  const first = stream.dataPath
  fillers.splice(0).forEach((fd) => closeSync(fd))
  for (let i = 0; i < ${MESSAGES}; i++) await push.send(String(i))
  const received = []
  stream.onRecv(([message]) => {
    received.push(Number(message))
    if (received.length === ${2 * MESSAGES}) loop.stop()
  })
  let swapped = false
  const watch = new PeriodicCallback(async () => {
    if (swapped || stream.dataPath !== "native") return
    swapped = true
    for (let i = ${MESSAGES}; i < ${2 * MESSAGES}; i++) await push.send(String(i))
  }, 5, loop)
  watch.start()
  loop.callLater(20_000, () => loop.stop()) // the deadline: still on zeromq.js's path then fails the test
  await loop.start()
  watch.stop()
  console.log(JSON.stringify({ first, then: stream.dataPath, received }))
  stream.close(0)
  push.close()
  loop.close()
`

t.test(
  "a stream made while the process has no fds for the data path's checks attaches the native path once it has",
  { skip: skip || NO_NATIVE_DATA_PATH },
  async (t) => {
    const env: NodeJS.ProcessEnv = { ...process.env }
    delete env.ZMQ_EVENTLOOP_NATIVE // the suites run once with it "0"
    const ran = runUnderLimit(shortProgram, 256, env)
    t.equal(ran.status, 0, "the program runs", { stderr: ran.stderr })
    const { first, then, received } = JSON.parse(ran.stdout.trim() || "{}")
    t.equal(first, "zeromq.js", "refused while the fds are short")
    t.equal(then, "native", "attached once they are back")
    t.same(
      received,
      Array.from({ length: 2 * MESSAGES }, (_, i) => i),
      "every message arrives once, in order, across the swap",
    )
  },
)
