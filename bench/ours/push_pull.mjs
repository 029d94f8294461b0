// Workload push_pull on zmq-eventloop: PUSH -> PULL throughput, default HWM.
//   push_pull.mjs N SIZE [--peer self|c]    PULL (binds) on a ZMQStream, onRecv, timed first -> last
//   push_pull.mjs --role sender EP N SIZE   PUSH on a ZMQStream: N `stream.send(payload)` queued at
//                                           once; stops when onSend has seen all N handed to libzmq
import * as zmq from "zeromq"
import { ZMQStream } from "@zmq-eventloop/zmqstream"
import { OURS } from "../lib/impls.mjs"
import {
  bindLoopback,
  expectPeerOk,
  expectSize,
  runWorkload,
  seconds,
  spawnPeer,
  throughput,
} from "../lib/common.mjs"
import { newLoop } from "./loop.mjs"

async function sender(endpoint, n, size) {
  const push = new zmq.Push({ linger: 10_000 }) // bounded: never hang at exit if the receiver died
  push.connect(endpoint)
  const loop = newLoop()
  const stream = new ZMQStream(push, loop)
  const payload = Buffer.alloc(size)
  let sent = 0
  stream.onSend(() => {
    if (++sent === n) loop.stop()
  })
  loop.addCallback(() => {
    for (let i = 0; i < n; i++) stream.send(payload)
  })
  await loop.start()
  stream.close() // keeps the linger: the process waits at exit until everything is delivered
  loop.close()
}

async function receiver({ n, size, peer }) {
  const pull = new zmq.Pull({ linger: 0 })
  const endpoint = await bindLoopback(pull)
  const senderExited = spawnPeer("push_pull", peer, ["sender", endpoint, n, size])
  const loop = newLoop()
  const stream = new ZMQStream(pull, loop)
  let got = 0
  let t0 = 0
  let t1 = 0
  stream.onRecv(([frame]) => {
    expectSize(frame, size)
    if (++got === 1) t0 = seconds()
    if (got !== n) return
    t1 = seconds()
    loop.stop()
  })
  await loop.start()
  expectPeerOk(await senderExited, "sender")
  stream.close(0)
  loop.close()
  return { ...throughput("push_pull", n, size, t1 - t0), data_path: stream.dataPath }
}

runWorkload({
  impl: OURS.name,
  usage: "push_pull.mjs N SIZE [--peer self|c]",
  main: receiver,
  roles: { sender: (endpoint, n, size) => sender(endpoint, +n, +size) },
})
