// Workload pubsub on zmq-eventloop: PUB -> SUB throughput, SNDHWM = RCVHWM = 0.
//   pubsub.mjs N SIZE [--peer self|c]
//        SUB (data, subscribes to everything) + PUSH (sync), both bound, each on a
//        ZMQStream; empty frames are probes, the first one is answered with "go"
//        on the sync stream; data timed first -> last frame
//   pubsub.mjs --role publisher DATA_EP SYNC_EP N SIZE
//        PUB + PULL on ZMQStreams: an empty probe every ~1 ms (loop.callLater) until
//        "go" arrives, then N `send(payload)` queued at once; stops when onSend has
//        seen all N data frames handed to libzmq
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

const PROBE = Buffer.alloc(0)

async function publisher(dataEndpoint, syncEndpoint, n, size) {
  const pub = new zmq.Publisher({ sendHighWaterMark: 0, linger: 10_000 }) // bounded linger
  pub.connect(dataEndpoint)
  const sync = new zmq.Pull({ linger: 0 })
  sync.connect(syncEndpoint)
  const loop = newLoop()
  const pubStream = new ZMQStream(pub, loop)
  const syncStream = new ZMQStream(sync, loop)
  const payload = Buffer.alloc(size)
  let go = false
  let sent = 0
  const probe = () => {
    if (go) return
    pubStream.send(PROBE)
    loop.callLater(1, probe)
  }
  syncStream.onRecv(() => {
    if (go) return
    go = true
    for (let i = 0; i < n; i++) pubStream.send(payload)
  })
  pubStream.onSend(([frame]) => {
    if (frame.length > 0 && ++sent === n) loop.stop()
  })
  loop.addCallback(probe)
  await loop.start()
  syncStream.close(0)
  pubStream.close() // keeps the linger: the process waits at exit until everything is delivered
  loop.close()
}

async function subscriber({ n, size, peer }) {
  const sub = new zmq.Subscriber({ receiveHighWaterMark: 0, linger: 0 })
  sub.subscribe()
  const dataEndpoint = await bindLoopback(sub)
  const sync = new zmq.Push({ linger: 0 })
  const syncEndpoint = await bindLoopback(sync)
  const publisherExited = spawnPeer("pubsub", peer, ["publisher", dataEndpoint, syncEndpoint, n, size])
  const loop = newLoop()
  const subStream = new ZMQStream(sub, loop)
  const syncStream = new ZMQStream(sync, loop)
  let acked = false
  let got = 0
  let t0 = 0
  let t1 = 0
  subStream.onRecv(([frame]) => {
    if (frame.length === 0) {
      if (!acked) syncStream.send("go")
      acked = true
      return
    }
    expectSize(frame, size)
    if (++got === 1) t0 = seconds()
    if (got !== n) return
    t1 = seconds()
    loop.stop()
  })
  await loop.start()
  expectPeerOk(await publisherExited, "publisher")
  subStream.close(0)
  syncStream.close(0)
  loop.close()
  return throughput("pubsub", n, size, t1 - t0)
}

runWorkload({
  impl: OURS.name,
  usage: "pubsub.mjs N SIZE [--peer self|c]",
  main: subscriber,
  roles: {
    publisher: (dataEndpoint, syncEndpoint, n, size) => publisher(dataEndpoint, syncEndpoint, +n, +size),
  },
})
