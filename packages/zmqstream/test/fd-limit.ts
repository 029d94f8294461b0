// A process at its fd limit: the fd poller watches each socket through a dup of its ZMQ_FD (a second fd
// per socket), so it runs out of fds well before zeromq.js does. Sockets registered then are checked on a
// timer, with one warning, instead of the stream's constructor failing with EMFILE where plain zeromq.js
// works. Run in a child whose fd limit `prlimit` lowers (lowering needs no privilege).
import t from "tap"
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const PAIRS = 100
// Node and libzmq take ~40 fds, the 200 sockets 200: about 80 dups fit, the other ~120 sockets do not.
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
  console.log(JSON.stringify({ answered, warnings: warnings.filter((line) => line.includes("EMFILE")).length }))
  streams.forEach((stream) => stream.close(0))
  loop.close()
`

const prlimit = spawnSync("prlimit", ["--version"], { encoding: "utf8" })
const skip = prlimit.status === 0 ? false : "util-linux prlimit is not installed"

t.test("streams registered past the fd limit are checked on a timer, not refused", { skip }, async (t) => {
  const ran = spawnSync(
    "prlimit",
    [`--nofile=${FD_LIMIT}:${FD_LIMIT}`, process.execPath, "--input-type=module", "-e", program],
    // The package's own folder: it resolves zeromq, @zmq-eventloop/ioloop and itself by name.
    { cwd: fileURLToPath(new URL("..", import.meta.url)), encoding: "utf8", timeout: 60_000 },
  )
  t.equal(ran.status, 0, "the program runs", { stderr: ran.stderr })
  t.same(
    JSON.parse(ran.stdout.trim() || "{}"),
    { answered: PAIRS, warnings: 1 },
    "every pair answered, one warning",
  )
})
