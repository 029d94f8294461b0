// Workload send_queue on plain zeromq.js: a PUSH sends N messages to a peer that reads only after STALL_MS.
//   send_queue.mjs N SIZE                    PUSH (binds), `await push.send(payload)` N times (zeromq.js's
//                                            own back-pressure: each await waits for room), timed first -> last
//   send_queue.mjs --role reader EP N SIZE   PULL, waits STALL_MS, then reads N (`for await`)
import * as zmq from "zeromq"
import { setTimeout as sleep } from "node:timers/promises"
import { PLAIN } from "../lib/impls.mjs"
import {
  STALL_MS,
  bindLoopback,
  expectPeerOk,
  expectSize,
  rssNow,
  runWorkload,
  seconds,
  sendQueueFields,
  spawnPeer,
} from "../lib/common.mjs"

async function reader(endpoint, n, size) {
  const pull = new zmq.Pull()
  pull.connect(endpoint)
  await sleep(STALL_MS)
  let got = 0
  for await (const [frame] of pull) {
    expectSize(frame, size)
    if (++got === n) break
  }
  pull.close()
}

async function sender({ n, size, peer }) {
  const push = new zmq.Push({ linger: 10_000 })
  const endpoint = await bindLoopback(push)
  const readerExited = spawnPeer("send_queue", peer, ["reader", endpoint, n, size])
  const payload = Buffer.alloc(size)
  const startRss = rssNow()
  const t0 = seconds()
  for (let i = 0; i < n; i++) await push.send(payload)
  const elapsed = seconds() - t0
  expectPeerOk(await readerExited, "reader")
  push.close()
  return sendQueueFields(n, size, elapsed, startRss)
}

runWorkload({
  impl: PLAIN.name,
  usage: "send_queue.mjs N SIZE",
  main: sender,
  roles: { reader: (endpoint, n, size) => reader(endpoint, +n, +size) },
})
