// Workload send_queue on zmq-eventloop: a PUSH stream sends N messages to a peer that reads only after
// STALL_MS.
//   send_queue.mjs N SIZE                    PUSH (binds) on a ZMQStream with a send queue limit of
//                                            $ZMQ_BENCH_SEND_QUEUE_LIMIT messages (default 10000; "none":
//                                            pyzmq's unbounded queue), filled Node's way (send until it
//                                            returns false, go on at onDrain); timed first send -> the N-th onSend
//   send_queue.mjs --role reader EP N SIZE   PULL on a ZMQStream, waits STALL_MS, then reads N
import * as zmq from "zeromq"
import { ZMQStream } from "@zmq-eventloop/zmqstream"
import { OURS } from "../lib/impls.mjs"
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
import { newLoop } from "./loop.mjs"

function queueLimit() {
  const value = process.env.ZMQ_BENCH_SEND_QUEUE_LIMIT ?? "10000"
  return value === "none" ? {} : { maxMessages: Number(value) }
}

async function reader(endpoint, n, size) {
  const pull = new zmq.Pull()
  pull.connect(endpoint)
  const loop = newLoop()
  const stream = new ZMQStream(pull, loop)
  let got = 0
  loop.callLater(STALL_MS, () =>
    stream.onRecv(([frame]) => {
      expectSize(frame, size)
      if (++got === n) loop.stop()
    }),
  )
  await loop.start()
  stream.close()
  loop.close()
}

async function sender({ n, size, peer }) {
  const push = new zmq.Push({ linger: 10_000 })
  const endpoint = await bindLoopback(push)
  const readerExited = spawnPeer("send_queue", peer, ["reader", endpoint, n, size])
  const loop = newLoop()
  const stream = new ZMQStream(push, { ioLoop: loop, sendQueueLimit: queueLimit() })
  const payload = Buffer.alloc(size)
  let queued = 0
  let sent = 0
  const fill = () => {
    while (queued < n) {
      queued++
      if (!stream.send(payload)) return
    }
  }
  stream.onDrain(fill)
  stream.onSend(() => {
    if (++sent === n) loop.stop()
  })
  const startRss = rssNow()
  const t0 = seconds()
  loop.addCallback(fill)
  await loop.start()
  const elapsed = seconds() - t0
  expectPeerOk(await readerExited, "reader")
  stream.close()
  loop.close()
  return sendQueueFields(n, size, elapsed, startRss)
}

runWorkload({
  impl: OURS.name,
  usage: "send_queue.mjs N SIZE",
  main: sender,
  roles: { reader: (endpoint, n, size) => reader(endpoint, +n, +size) },
})
