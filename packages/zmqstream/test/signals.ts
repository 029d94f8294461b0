// Signals interrupt libzmq's calls that process a socket's pending commands (reading ZMQ_EVENTS, connect,
// disconnect): they fail with EINTR, which means "nothing happened, call again" (pyzmq retries them). Here
// V8's sampling profiler sends SIGPROF every 20 µs to a child running a Poller over sockets the loop reads
// through zeromq.js, and calling a stream's forwarded socket methods: no poll may report a socket that is
// not ready (the loop took an EINTR for a closed socket: POLLERR), and no call may throw.
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import t from "tap"
import { CHILD_NODE } from "../../ioloop/test/helpers/child-node.js"

const SOCKETS = 20
const ROUNDS = 500
const CALLS = 2000

const program = `
  import { Session } from "node:inspector/promises"
  import * as zmq from "zeromq"
  import { IOLoop } from "@zmq-eventloop/ioloop"
  import { Poller, POLLIN, ZMQStream } from "@zmq-eventloop/zmqstream"
  const loop = new IOLoop()
  const poller = new Poller(loop)
  const pairs = []
  for (let i = 0; i < ${SOCKETS}; i++) {
    const [a, b] = [new zmq.Pair(), new zmq.Pair()]
    await a.bind("inproc://signals-" + i)
    b.connect("inproc://signals-" + i)
    poller.register(a, POLLIN)
    pairs.push([a, b])
  }
  const peer = new zmq.Router()
  await peer.bind("inproc://signals-stream") // bound: a connect to an unbound inproc endpoint stays pending
  const stream = new ZMQStream(new zmq.Dealer(), loop)
  const profiler = new Session()
  profiler.connect()
  await profiler.post("Profiler.enable")
  await profiler.post("Profiler.setSamplingInterval", { interval: 20 })
  await profiler.post("Profiler.start")
  const wrong = []
  const thrown = []
  await loop.runSync(async () => {
    for (let round = 0; round < ${ROUNDS}; round++) {
      const [a, b] = pairs[round % pairs.length]
      await b.send("ping")
      const events = await poller.poll(10_000)
      const ok = events.length === 1 && events[0][0] === a && events[0][1] === POLLIN
      if (!ok) wrong.push(events.map(([socket, flags]) => [pairs.findIndex(([x]) => x === socket), flags]))
      await a.receive()
    }
  })
  for (let call = 0; call < ${CALLS}; call++) {
    try {
      stream.connect("inproc://signals-stream")
      stream.getsockopt("EVENTS")
      stream.disconnect("inproc://signals-stream")
    } catch (error) {
      thrown.push(error.code ?? error.message)
    }
  }
  await profiler.post("Profiler.stop")
  console.log(JSON.stringify({ wrong: wrong.slice(0, 5), wrongCount: wrong.length, thrown: thrown.slice(0, 5) }))
  for (const [a, b] of pairs) {
    a.close()
    b.close()
  }
  stream.close(0)
  peer.close()
  loop.close()
`

t.test(
  "under a flood of signals, polls report only what is ready and forwarded socket calls do not throw EINTR",
  async (t) => {
    const ran = spawnSync(CHILD_NODE, ["--input-type=module", "-e", program], {
      // The package's own folder: it resolves zeromq, @zmq-eventloop/ioloop and itself by name.
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      encoding: "utf8",
      timeout: 120_000,
    })
    t.equal(ran.status, 0, "the program runs", { stderr: ran.stderr })
    t.same(JSON.parse(ran.stdout.trim() || "{}"), { wrong: [], wrongCount: 0, thrown: [] })
  },
)
