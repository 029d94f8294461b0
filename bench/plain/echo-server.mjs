// Main side of pingpong and pipeline on plain zeromq.js: a ROUTER that echoes
// every [routing id, payload] back unchanged, `for await (const msg of router)
// await router.send(msg)`, until the client it spawned exits; then it reports
// the client's line (the client measures).
import * as zmq from "zeromq"
import { bindLoopback, clientFields, spawnPeer } from "../lib/common.mjs"

export async function echoServer(workload, { n, size, peer }) {
  const router = new zmq.Router({ sendHighWaterMark: 0, receiveHighWaterMark: 0, linger: 0 })
  const endpoint = await bindLoopback(router)
  const clientExited = spawnPeer(workload, peer, ["client", endpoint, n, size], { capture: true })
  const closeRouter = () => router.close() // ends the loop below
  clientExited.then(closeRouter, closeRouter)
  try {
    for await (const msg of router) await router.send(msg)
  } catch (err) {
    if (!router.closed) throw err // anything after the client exited is moot
  }
  return clientFields(await clientExited)
}
