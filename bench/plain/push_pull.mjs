// Workload push_pull on plain zeromq.js: PUSH -> PULL throughput, default HWM.
//   push_pull.mjs N SIZE [--peer self|c]    PULL (binds), `for await`, timed first -> last message
//   push_pull.mjs --role sender EP N SIZE   PUSH, `await push.send(payload)` N times
import * as zmq from "zeromq"
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

async function sender(endpoint, n, size) {
  const push = new zmq.Push({ linger: 10_000 }) // bounded: never hang at exit if the receiver died
  push.connect(endpoint)
  const payload = Buffer.alloc(size)
  for (let i = 0; i < n; i++) await push.send(payload)
  push.close() // the process waits at exit (up to the linger) until everything is delivered
}

async function receiver({ n, size, peer }) {
  const pull = new zmq.Pull({ linger: 0 })
  const endpoint = await bindLoopback(pull)
  const senderExited = spawnPeer("push_pull", peer, ["sender", endpoint, n, size])
  let got = 0
  let t0 = 0
  for await (const [frame] of pull) {
    expectSize(frame, size)
    if (++got === 1) t0 = seconds()
    if (got === n) break
  }
  const elapsed = seconds() - t0
  expectPeerOk(await senderExited, "sender")
  pull.close()
  return throughput("push_pull", n, size, elapsed)
}

runWorkload({
  impl: PLAIN.name,
  usage: "push_pull.mjs N SIZE [--peer self|c]",
  main: receiver,
  roles: { sender: (endpoint, n, size) => sender(endpoint, +n, +size) },
})
