// Workload pipeline on plain zeromq.js: pipelined echo, SNDHWM = RCVHWM = 0.
//   pipeline.mjs N SIZE [--peer self|c]    ROUTER echo server (echo-server.mjs)
//   pipeline.mjs --role client EP N SIZE   DEALER: one untimed warm-up round trip, then
//        `await dealer.send()` N times while a `for await` loop reads the echoes;
//        timed from the first send to the N-th reply
import * as zmq from "zeromq"
import { PLAIN } from "../lib/impls.mjs"
import { emit, expectSize, runWorkload, seconds, throughput } from "../lib/common.mjs"
import { echoServer } from "./echo-server.mjs"

async function client(endpoint, n, size) {
  const dealer = new zmq.Dealer({ sendHighWaterMark: 0, receiveHighWaterMark: 0, linger: 0 })
  dealer.connect(endpoint)
  const payload = Buffer.alloc(size)
  await dealer.send(payload) // warm-up round trip
  await dealer.receive()
  const t0 = seconds()
  const replies = (async () => {
    let got = 0
    for await (const [reply] of dealer) {
      expectSize(reply, size)
      if (++got === n) break
    }
  })()
  for (let i = 0; i < n; i++) await dealer.send(payload)
  await replies
  const elapsed = seconds() - t0
  dealer.close()
  emit(null, null, throughput("pipeline", n, size, elapsed))
}

runWorkload({
  impl: PLAIN.name,
  usage: "pipeline.mjs N SIZE [--peer self|c]",
  main: (options) => echoServer("pipeline", options),
  roles: { client: (endpoint, n, size) => client(endpoint, +n, +size) },
})
