// Main side of pingpong and pipeline on zmq-eventloop: a ROUTER on a ZMQStream
// that echoes every [routing id, payload] back unchanged from its onRecv
// callback (`stream.sendMultipart(msg)`), until the client it spawned exits;
// then it reports the client's line (the client measures).
import * as zmq from "zeromq"
import { ZMQStream } from "@zmq-eventloop/zmqstream"
import { bindLoopback, clientFields, spawnPeer } from "../lib/common.mjs"
import { newLoop } from "./loop.mjs"

export async function echoServer(workload, { n, size, peer }) {
  const router = new zmq.Router({ sendHighWaterMark: 0, receiveHighWaterMark: 0, linger: 0 })
  const endpoint = await bindLoopback(router)
  const clientExited = spawnPeer(workload, peer, ["client", endpoint, n, size], { capture: true })
  const loop = newLoop()
  const stream = new ZMQStream(router, loop)
  stream.onRecv((msg) => stream.sendMultipart(msg))
  const stopLoop = () => loop.addCallback(() => loop.stop()) // ends loop.start() below
  clientExited.then(stopLoop, stopLoop)
  await loop.start()
  stream.close(0)
  loop.close()
  return clientFields(await clientExited)
}
