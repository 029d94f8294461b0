// On the native data path, messages flow without a single call into zeromq.js: the stream receives and sends
// through the addon, and the loop reads the socket's `closed` and ZMQ_EVENTS through it too
// (`LoopServices.readThrough`). That is what makes a worker thread that Node terminates in mid-traffic safe
// from zeromq.js's getters, which abort the process in that window (zmqstream README, "Worker threads").
// Counted with a spy on every member of the socket classes' prototype chains; real sockets throughout.
import * as zmq from "zeromq"
import { onZeromqJsCall } from "../../ioloop/test/helpers/events-reads.js"
import { deferred, loopTest, routerDealerStreams } from "./helpers/loop.js"

const ROUND_TRIPS = 200
const WARM_UP = 10

loopTest("an echo's round trips call zeromq.js only on the zeromq.js path", async (t, ctx) => {
  const { server, client } = await routerDealerStreams(ctx, "tcp")
  const calls = new Map<string, number>()
  let counting = false
  onZeromqJsCall(t, [zmq.Router, zmq.Dealer], (name) => {
    if (counting) calls.set(name, (calls.get(name) ?? 0) + 1)
  })
  server.onRecv((msg) => server.sendMultipart(msg))
  const done = deferred()
  let replies = 0
  client.onRecv(() => {
    if (++replies === WARM_UP) counting = true
    if (replies === ROUND_TRIPS) {
      counting = false
      done.resolve()
    } else client.send("ping")
  })
  ctx.loop.addCallback(() => client.send("ping"))
  await done.wait(`${ROUND_TRIPS} round trips (${replies} so far)`)
  t.equal(server.dataPath, ctx.dataPath)
  const seen = Object.fromEntries(calls)
  if (ctx.dataPath === "native") t.same(seen, {}, "no zeromq.js call in 190 round trips")
  else t.ok((calls.get("receive") ?? 0) >= ROUND_TRIPS - WARM_UP, "the spy sees zeromq.js's receive() calls")
})
