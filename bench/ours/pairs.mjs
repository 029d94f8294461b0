// Workload pairs on zmq-eventloop: PAIRS ROUTER<->DEALER pairs on one IOLoop.
//   pairs.mjs N PAIRS
// Each ROUTER stream echoes from onRecv (`sendMultipart(msg)`); each DEALER
// stream keeps one 64 B message in flight (onRecv sends the next). One untimed
// round trip per pair, then timed until N round trips in all came back
// (lib/pairs.mjs).
import { OURS } from "../lib/impls.mjs"
import { expectSize, runWorkload, seconds } from "../lib/common.mjs"
import { openPairs, pairsFields, PAIRS_MESSAGE_BYTES } from "../lib/pairs.mjs"

async function pairs({ n, size: pairCount }) {
  const list = await openPairs(pairCount)
  // Imported only now: loading the loop's native addon opens a socket, and libzmq takes ZMQ_MAX_SOCKETS
  // from the context when its first socket opens, so openPairs must size the context before that.
  const { ZMQStream } = await import("@zmq-eventloop/zmqstream")
  const { newLoop } = await import("./loop.mjs")
  const payload = Buffer.alloc(PAIRS_MESSAGE_BYTES)
  const loop = newLoop()
  let warmedUp = 0
  let done = 0
  let start = 0
  const streams = []
  for (const { router, dealer } of list) {
    const routerStream = new ZMQStream(router, loop)
    routerStream.onRecv((message) => routerStream.sendMultipart(message))
    const dealerStream = new ZMQStream(dealer, loop)
    let warm = false
    dealerStream.onRecv(([reply]) => {
      expectSize(reply, PAIRS_MESSAGE_BYTES)
      if (!warm) {
        warm = true
        if (++warmedUp === pairCount) {
          start = seconds()
          for (const stream of streams) stream.dealer.send(payload)
        }
        return
      }
      if (++done === n) loop.stop()
      else if (done < n) dealerStream.send(payload)
    })
    streams.push({ dealer: dealerStream, router: routerStream })
  }
  loop.addCallback(() => {
    for (const { dealer } of streams) dealer.send(payload)
  })
  await loop.start()
  const elapsed = seconds() - start
  for (const { router, dealer } of streams) {
    dealer.close(0)
    router.close(0)
  }
  loop.close()
  return pairsFields(done, pairCount, elapsed)
}

runWorkload({ impl: OURS.name, usage: "pairs.mjs N PAIRS", main: pairs, peerless: true })
