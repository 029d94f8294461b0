// Micro-benchmark (issue 15 item 8): a pyzmq PUSH → a PULL stream over tcp, high-water mark 10 on both
// sides; the stream toggles stopOnRecv()/onRecv() at random 0-5 ms intervals, calls flush(POLLIN, 1-5) at
// random, and timers read `socket.readable`. Messages per second on the interval poller (and the fd poller)
// for the native data path against the zeromq.js one, in the same process, interleaved rounds; the best
// round of each. The "random" draws come from a seeded generator, the same sequence for every cell of a
// round, so both data paths meet the same toggles (with Math.random the ratio ranged 0.83-1.64). Needs
// Debian's python3-zmq (`/usr/bin/python3`). Run `pnpm build && node bench/micro/interval-toggle.mjs`.
// Prints a table, then one JSON line.
import { spawn, spawnSync } from "node:child_process"
import { seededRandom } from "../lib/common.mjs"
import { median } from "../lib/median.mjs"
import { count, finish, fmt, printTable, ratio } from "../lib/micro.mjs"

const N = count(20_000)
const ROUNDS = 5
const PYTHON = "/usr/bin/python3"
const SENDER = `
import sys, zmq
s = zmq.Context().socket(zmq.PUSH)
s.setsockopt(zmq.SNDHWM, 10)
s.connect(sys.argv[1])
for i in range(int(sys.argv[2])):
    s.send(b"x" * 64)
while True:  # until killed: a flush() while no callback is set drops what it takes, an "end" too
    s.send(b"end")
`

async function load() {
  try {
    const { IOLoop } = await import("@zmq-eventloop/ioloop")
    const { ZMQStream, POLLIN } = await import("@zmq-eventloop/zmqstream")
    return { IOLoop, ZMQStream, POLLIN, zmq: await import("zeromq") }
  } catch (error) {
    return { error }
  }
}

/** One round: messages delivered per second (flush() drops what it takes while no callback is set). */
async function round({ IOLoop, ZMQStream, POLLIN, zmq }, poller, dataPath, seed) {
  const random = seededRandom(seed)
  if (dataPath === "zeromq.js") process.env.ZMQ_EVENTLOOP_NATIVE = "0"
  else delete process.env.ZMQ_EVENTLOOP_NATIVE
  const loop = new IOLoop({ poller, makeCurrent: false })
  const pull = new zmq.Pull({ receiveHighWaterMark: 10 })
  await pull.bind("tcp://127.0.0.1:*")
  const stream = new ZMQStream(pull, loop)
  let delivered = 0
  let first = 0
  let senderFailed
  const done = new Promise((resolve, reject) => {
    senderFailed = reject
    const onMessage = (msg) => {
      if (delivered++ === 0) first = performance.now()
      if (msg[0].length === 3) resolve(performance.now())
    }
    stream.onRecv(onMessage)
    const toggle = () => {
      if (stream.receiving()) stream.stopOnRecv()
      else stream.onRecv(onMessage)
      if (random() < 0.3) void stream.flush(POLLIN, 1 + Math.floor(random() * 5))
      loop.callLater(random() * 5, toggle)
    }
    const peek = () => {
      void pull.readable
      loop.callLater(random() * 3, peek)
    }
    toggle()
    peek()
  })
  const running = loop.start()
  const sender = spawn(PYTHON, ["-c", SENDER, pull.lastEndpoint, String(N)], { stdio: "inherit" })
  sender.on("exit", (code) => {
    if (code !== 0) senderFailed(new Error(`the pyzmq sender exited with ${code}`))
  })
  const end = await done
  const actual = stream.dataPath
  loop.stop()
  await running
  stream.close(0)
  loop.close()
  sender.kill()
  delete process.env.ZMQ_EVENTLOOP_NATIVE
  return { rate: (delivered / (end - first)) * 1000, actual }
}

async function main() {
  if (spawnSync(PYTHON, ["-c", "import zmq"]).status !== 0) {
    console.log(`| interval-toggle | skipped: ${PYTHON} cannot import zmq (Debian's python3-zmq) |`)
    return finish({ micro: "interval-toggle", skipped: "no pyzmq" })
  }
  const loaded = await load()
  if (loaded.error) {
    console.error(`cannot load the packages: ${loaded.error.message}`)
    process.exit(2)
  }
  const best = {}
  const actualPaths = {}
  // native ÷ zeromq.js within each round (same seed, back to back): steadier than the ratio of the bests.
  const roundRatios = { interval: [], fd: [] }
  for (let r = 0; r < ROUNDS; r++) {
    for (const poller of ["interval", "fd"]) {
      const rates = {}
      for (const dataPath of ["native", "zeromq.js"]) {
        const { rate, actual } = await round(loaded, poller, dataPath, 12345 + r)
        const key = `${poller}/${dataPath}`
        best[key] = Math.max(best[key] ?? 0, rate)
        actualPaths[key] = actual
        rates[dataPath] = rate
      }
      roundRatios[poller].push(rates.native / rates["zeromq.js"])
    }
  }
  const rows = ["interval", "fd"].map((poller) => [
    poller,
    fmt(best[`${poller}/native`]),
    fmt(best[`${poller}/zeromq.js`]),
    ratio(best[`${poller}/native`], best[`${poller}/zeromq.js`]),
    median(roundRatios[poller]).toFixed(2),
  ])
  printTable(
    [
      `poller (msg/s, best of ${ROUNDS})`,
      "native",
      "zeromq.js",
      "native ÷ zeromq.js",
      "median of the rounds' ratios",
    ],
    rows,
  )
  finish({
    micro: "interval-toggle",
    n: N,
    paths: actualPaths,
    interval_native: Math.round(best["interval/native"]),
    interval_zeromqjs: Math.round(best["interval/zeromq.js"]),
    fd_native: Math.round(best["fd/native"]),
    fd_zeromqjs: Math.round(best["fd/zeromq.js"]),
    interval_round_ratio_median: Number(median(roundRatios.interval).toFixed(3)),
    fd_round_ratio_median: Number(median(roundRatios.fd).toFixed(3)),
  })
}

await main()
