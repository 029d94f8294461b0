// On the fd poller, a native stream's wake-up is dispatched as READ without reading ZMQ_EVENTS first: the
// native receive finds out (and proves READ clear when it hits EAGAIN), which is what the getsockopt would
// have told, at the same cost (issue 16 item 2: "read ZMQ_EVENTS only when nothing else already answered").
// Counted with a spy on the socket classes' getInt32Option (ZMQ_EVENTS is 15); real sockets throughout.
import * as zmq from "zeromq"
import { onReadinessGetterRead, onZmqEventsRead } from "../../ioloop/test/helpers/events-reads.js"
import { deferred, loopTest, routerDealerStreams } from "./helpers/loop.js"

const ROUND_TRIPS = 200

loopTest("an echo of 200 round trips reads ZMQ_EVENTS only as its path needs", async (t, ctx) => {
  let reads = 0
  onZmqEventsRead(t, [zmq.Router, zmq.Dealer], () => reads++)
  const { server, client } = await routerDealerStreams(ctx, "inproc")
  server.onRecv((msg) => server.sendMultipart(msg))
  const done = deferred()
  let replies = 0
  let readsAtFirstReply = 0
  client.onRecv(() => {
    if (++replies === 1) readsAtFirstReply = reads
    if (replies === ROUND_TRIPS) done.resolve()
    else client.send("ping")
  })
  ctx.loop.addCallback(() => client.send("ping"))
  await done.wait(`${ROUND_TRIPS} round trips (${replies} so far)`)
  const perRoundTrip = (reads - readsAtFirstReply) / (ROUND_TRIPS - 1)
  if (ctx.poller === "fd" && ctx.dataPath === "native") {
    t.ok(perRoundTrip < 0.1, `native on the fd poller: ${perRoundTrip.toFixed(2)} reads per round trip`)
  } else {
    // The interval poller discovers readiness by reading ZMQ_EVENTS, and the zeromq.js path's receive cannot
    // tell the loop what it proved: reads stay, and the echo is whole.
    t.equal(
      replies,
      ROUND_TRIPS,
      `${ctx.dataPath} on the ${ctx.poller} poller: ${perRoundTrip.toFixed(2)} reads per round trip`,
    )
  }
})

// A reply sent from a recv callback goes inside send*() on both paths (`sending()` then says the same). The
// zeromq.js path must know there is room first: the loop's ZMQ_EVENTS read before the dispatch says so, and
// a receive cannot take the room, so the reply reads nothing of its own (each read is two system calls).
loopTest("a reply sent from a recv callback reads no ZMQ_EVENTS of its own", async (t, ctx) => {
  const { server, client } = await routerDealerStreams(ctx, "inproc")
  let reads = 0
  onZmqEventsRead(t, [zmq.Router, zmq.Dealer], () => reads++)
  onReadinessGetterRead(t, [zmq.Router, zmq.Dealer], () => reads++)
  let readsInReplies = 0
  const reply = (send: () => void): void => {
    const before = reads
    send()
    readsInReplies += reads - before
  }
  server.onRecv((msg) => reply(() => server.sendMultipart(msg)))
  const done = deferred()
  let replies = 0
  client.onRecv(() => {
    if (++replies === ROUND_TRIPS) done.resolve()
    else reply(() => client.send("ping"))
  })
  ctx.loop.addCallback(() => client.send("ping"))
  await done.wait(`${ROUND_TRIPS} round trips (${replies} so far)`)
  t.equal(readsInReplies, 0, `${2 * ROUND_TRIPS - 1} replies on the ${ctx.dataPath} path`)
})
