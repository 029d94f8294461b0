// Workload pingpong on zmq-eventloop: DEALER -> ROUTER round trips, one in flight.
//   pingpong.mjs N SIZE [--peer self|c]    ROUTER echo server (echo-server.mjs)
//   pingpong.mjs --role client EP N SIZE   DEALER on a ZMQStream: 100 untimed warm-up round
//                                          trips, then N timed ones (onRecv sends the next)
import * as zmq from "zeromq"
import { ZMQStream } from "@zmq-eventloop/zmqstream"
import { OURS } from "../lib/impls.mjs"
import { emit, expectSize, latency, runWorkload, seconds } from "../lib/common.mjs"
import { echoServer } from "./echo-server.mjs"
import { newLoop } from "./loop.mjs"

const WARMUP = 100

async function client(endpoint, n, size) {
  const dealer = new zmq.Dealer({ sendHighWaterMark: 0, receiveHighWaterMark: 0, linger: 0 })
  dealer.connect(endpoint)
  const loop = newLoop()
  const stream = new ZMQStream(dealer, loop)
  const payload = Buffer.alloc(size)
  const latUs = new Float64Array(n)
  let i = 0
  let start = 0
  let t0 = 0
  const ping = () => {
    if (i === WARMUP) start = seconds()
    t0 = seconds()
    stream.send(payload)
  }
  stream.onRecv(([reply]) => {
    if (i >= WARMUP) latUs[i - WARMUP] = (seconds() - t0) * 1e6
    expectSize(reply, size)
    if (++i < WARMUP + n) ping()
    else loop.stop()
  })
  loop.addCallback(ping)
  await loop.start()
  const elapsed = seconds() - start
  stream.close(0)
  loop.close()
  emit(null, null, latency("pingpong", n, size, WARMUP, elapsed, latUs))
}

runWorkload({
  impl: OURS.name,
  usage: "pingpong.mjs N SIZE [--peer self|c]",
  main: (options) => echoServer("pingpong", options),
  roles: { client: (endpoint, n, size) => client(endpoint, +n, +size) },
})
