// Workload pubsub on plain zeromq.js: PUB -> SUB throughput, SNDHWM = RCVHWM = 0.
//   pubsub.mjs N SIZE [--peer self|c]
//        SUB (data, subscribes to everything) + PUSH (sync), both bound; empty
//        frames are probes, the first one is answered with "go" on the sync PUSH;
//        data timed first -> last frame
//   pubsub.mjs --role publisher DATA_EP SYNC_EP N SIZE
//        PUB + PULL: an empty probe every ~1 ms until "go" arrives (no data is lost
//        to the slow-joiner race), then N frames
import * as zmq from "zeromq"
import { setTimeout as sleep } from "node:timers/promises"
import { PLAIN } from "../lib/impls.mjs"
import {
  bindLoopback,
  expectPeerOk,
  expectSize,
  runWorkload,
  seconds,
  spawnPeer,
  throughput,
} from "../lib/common.mjs"

const PROBE = Buffer.alloc(0)

async function publisher(dataEndpoint, syncEndpoint, n, size) {
  const pub = new zmq.Publisher({ sendHighWaterMark: 0, linger: 10_000 }) // bounded linger
  pub.connect(dataEndpoint)
  const sync = new zmq.Pull({ linger: 0 })
  sync.connect(syncEndpoint)
  let go = false
  sync.receive().then(() => (go = true))
  while (!go) {
    await pub.send(PROBE)
    await sleep(1)
  }
  const payload = Buffer.alloc(size)
  for (let i = 0; i < n; i++) await pub.send(payload)
  sync.close()
  pub.close() // the process waits at exit (up to the linger) until everything is delivered
}

async function subscriber({ n, size, peer }) {
  const sub = new zmq.Subscriber({ receiveHighWaterMark: 0, linger: 0 })
  sub.subscribe()
  const dataEndpoint = await bindLoopback(sub)
  const sync = new zmq.Push({ linger: 0 })
  const syncEndpoint = await bindLoopback(sync)
  const publisherExited = spawnPeer("pubsub", peer, ["publisher", dataEndpoint, syncEndpoint, n, size])
  let acked = false
  let got = 0
  let t0 = 0
  for await (const [frame] of sub) {
    if (frame.length === 0) {
      if (!acked) await sync.send("go")
      acked = true
      continue
    }
    expectSize(frame, size)
    if (++got === 1) t0 = seconds()
    if (got === n) break
  }
  const elapsed = seconds() - t0
  expectPeerOk(await publisherExited, "publisher")
  sub.close()
  sync.close()
  return throughput("pubsub", n, size, elapsed)
}

runWorkload({
  impl: PLAIN.name,
  usage: "pubsub.mjs N SIZE [--peer self|c]",
  main: subscriber,
  roles: {
    publisher: (dataEndpoint, syncEndpoint, n, size) => publisher(dataEndpoint, syncEndpoint, +n, +size),
  },
})
