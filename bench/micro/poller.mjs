// Micro-benchmark: a Poller loop over N registered sockets, one of them ready per poll, the zguide shape
// (lazy pirate, ppworker, a broker's frontend and backend) at every N: per round, a PAIR peer sends one
// message, `await poller.poll(1000)` reports its socket, `await socket.receive()` reads it. Ours against
// pyzmq's asyncio Poller (Debian's python3-zmq, `/usr/bin/python3`) doing the same rounds, in µs per poll.
// Run `pnpm build && node bench/micro/poller.mjs`.
import { spawnSync } from "node:child_process"
import { QUICK, finish, fmt, printTable, ratio } from "../lib/micro.mjs"

const PYTHON = "/usr/bin/python3"
const SIZES = QUICK ? [1, 10, 100] : [1, 10, 100, 1000]
const roundsFor = (n) => Math.max(200, (QUICK ? 200 : 2000) / Math.max(1, n / 10))

const PYZMQ_ROUNDS = `
import asyncio, json, sys, time, zmq, zmq.asyncio
async def main(n, rounds):
    ctx = zmq.asyncio.Context()
    ctx.MAX_SOCKETS = 2 * n + 100
    poller = zmq.asyncio.Poller()
    pairs = []
    for i in range(n):
        a, b = ctx.socket(zmq.PAIR), ctx.socket(zmq.PAIR)
        a.bind(f"inproc://poller-{i}")
        b.connect(f"inproc://poller-{i}")
        poller.register(a, zmq.POLLIN)
        pairs.append((a, b))
    for warm in (True, False):
        t0 = time.perf_counter()
        for r in range(rounds):
            a, b = pairs[r % n]
            await b.send(b"x")
            events = await poller.poll(1000)
            assert len(events) == 1 and events[0][0] is a
            await a.recv()
    print(json.dumps((time.perf_counter() - t0) / rounds * 1e6))
    ctx.destroy(0)
asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
`

/** µs per poll for pyzmq, or null when it cannot run here. */
function pyzmqMicros(n, rounds) {
  const ran = spawnSync(PYTHON, ["-c", PYZMQ_ROUNDS, String(n), String(rounds)], { encoding: "utf8" })
  return ran.status === 0 ? JSON.parse(ran.stdout) : null
}

/** µs per poll for ours (after a warm-up pass of the same rounds). */
async function oursMicros({ IOLoop, Poller, POLLIN, zmq }, n, rounds) {
  const loop = new IOLoop({ makeCurrent: false })
  const poller = new Poller(loop)
  const pairs = []
  for (let i = 0; i < n; i++) {
    const [a, b] = [new zmq.Pair(), new zmq.Pair()]
    await a.bind(`inproc://poller-${n}-${i}`)
    b.connect(`inproc://poller-${n}-${i}`)
    poller.register(a, POLLIN)
    pairs.push([a, b])
  }
  let micros = 0
  await loop.runSync(async () => {
    for (const warm of [true, false]) {
      const t0 = performance.now()
      for (let round = 0; round < rounds; round++) {
        const [a, b] = pairs[round % n]
        await b.send("x")
        const events = await poller.poll(1000)
        if (events.length !== 1 || events[0][0] !== a) throw new Error(`round ${round}: a wrong poll`)
        await a.receive()
      }
      if (!warm) micros = ((performance.now() - t0) * 1000) / rounds
    }
  })
  for (const [a, b] of pairs) {
    a.close()
    b.close()
  }
  loop.close()
  return micros
}

async function load() {
  try {
    const zmq = await import("zeromq")
    zmq.context.maxSockets = 2 * Math.max(...SIZES) + 100 // before the first socket: libzmq fixes it then
    const { IOLoop } = await import("@zmq-eventloop/ioloop")
    const { Poller, POLLIN } = await import("@zmq-eventloop/zmqstream")
    return { IOLoop, Poller, POLLIN, zmq }
  } catch (error) {
    return { error }
  }
}

const loaded = await load()
const rows = []
const results = []
for (const n of SIZES) {
  const rounds = roundsFor(n)
  const pyzmq = pyzmqMicros(n, rounds)
  const ours = loaded.error ? null : await oursMicros(loaded, n, rounds)
  results.push({ n, rounds, oursMicros: ours, pyzmqMicros: pyzmq })
  rows.push([n, rounds, fmt(pyzmq, 1), fmt(ours, 1), ratio(ours, pyzmq)])
}
printTable(["sockets registered", "rounds", "pyzmq asyncio µs/poll", "ours µs/poll", "ours/pyzmq"], rows)
finish({ micro: "poller", results }, loaded.error)
