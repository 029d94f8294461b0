// Workload pingpong on plain zeromq.js: DEALER -> ROUTER round trips, one in flight.
//   pingpong.mjs N SIZE [--peer self|c]    ROUTER echo server (echo-server.mjs)
//   pingpong.mjs --role client EP N SIZE   DEALER: 100 untimed warm-up round trips, then N
//                                          timed ones (`await send`, `await receive`)
import * as zmq from "zeromq"
import { PLAIN } from "../lib/impls.mjs"
import { emit, expectSize, latency, runWorkload, seconds } from "../lib/common.mjs"
import { echoServer } from "./echo-server.mjs"

const WARMUP = 100

async function client(endpoint, n, size) {
  const dealer = new zmq.Dealer({ sendHighWaterMark: 0, receiveHighWaterMark: 0, linger: 0 })
  dealer.connect(endpoint)
  const payload = Buffer.alloc(size)
  const latUs = new Float64Array(n)
  let start = 0
  for (let i = 0; i < WARMUP + n; i++) {
    if (i === WARMUP) start = seconds()
    const t0 = seconds()
    await dealer.send(payload)
    const [reply] = await dealer.receive()
    if (i >= WARMUP) latUs[i - WARMUP] = (seconds() - t0) * 1e6
    expectSize(reply, size)
  }
  const elapsed = seconds() - start
  dealer.close()
  emit(null, null, latency("pingpong", n, size, WARMUP, elapsed, latUs))
}

runWorkload({
  impl: PLAIN.name,
  usage: "pingpong.mjs N SIZE [--peer self|c]",
  main: (options) => echoServer("pingpong", options),
  roles: { client: (endpoint, n, size) => client(endpoint, +n, +size) },
})
