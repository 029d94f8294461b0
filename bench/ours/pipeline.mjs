// Workload pipeline on zmq-eventloop: pipelined echo, SNDHWM = RCVHWM = 0.
//   pipeline.mjs N SIZE [--peer self|c]    ROUTER echo server (echo-server.mjs)
//   pipeline.mjs --role client EP N SIZE   DEALER on a ZMQStream: one untimed warm-up round
//        trip, then N `stream.send()` queued at once while onRecv counts the echoes;
//        timed from the first send to the N-th reply
import * as zmq from "zeromq"
import { ZMQStream } from "@zmq-eventloop/zmqstream"
import { OURS } from "../lib/impls.mjs"
import { emit, expectSize, runWorkload, seconds, throughput } from "../lib/common.mjs"
import { echoServer } from "./echo-server.mjs"
import { newLoop } from "./loop.mjs"

async function client(endpoint, n, size) {
  const dealer = new zmq.Dealer({ sendHighWaterMark: 0, receiveHighWaterMark: 0, linger: 0 })
  dealer.connect(endpoint)
  const loop = newLoop()
  const stream = new ZMQStream(dealer, loop)
  const payload = Buffer.alloc(size)
  let warm = false
  let got = 0
  let t0 = 0
  let t1 = 0
  stream.onRecv(([reply]) => {
    expectSize(reply, size)
    if (!warm) {
      warm = true
      t0 = seconds()
      for (let i = 0; i < n; i++) stream.send(payload)
    } else if (++got === n) {
      t1 = seconds()
      loop.stop()
    }
  })
  loop.addCallback(() => stream.send(payload)) // warm-up round trip
  await loop.start()
  stream.close(0)
  loop.close()
  emit(null, null, throughput("pipeline", n, size, t1 - t0))
}

runWorkload({
  impl: OURS.name,
  usage: "pipeline.mjs N SIZE [--peer self|c]",
  main: (options) => echoServer("pipeline", options),
  roles: { client: (endpoint, n, size) => client(endpoint, +n, +size) },
})
