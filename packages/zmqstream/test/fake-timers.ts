// Under a test runner's fake timers (the defaults of jest.useFakeTimers() and vi.useFakeTimers(), which
// replace the global setImmediate, setTimeout and queueMicrotask), streams and a Poller go on as plain
// zeromq.js does: the loop and its streams take Node's timers from node:timers, not from the globals.
import * as zmq from "zeromq"
import { Poller, POLLIN } from "../src/index.js"
import { within } from "../../ioloop/test/helpers/deadline.js"
import { withFakeGlobalTimers } from "../../ioloop/test/helpers/fake-timers.js"
import { bindAny, loopTest, routerDealerStreams } from "./helpers/loop.js"

const ROUND_TRIPS = 20

loopTest("streams echo, report their sends and a Poller polls under faked global timers", async (t, ctx) => {
  const { server, client } = await routerDealerStreams(ctx, "tcp")
  const pull = ctx.track(new zmq.Pull())
  const push = ctx.track(new zmq.Push())
  push.connect(await bindAny(pull, "inproc"))
  await withFakeGlobalTimers(async (real) => {
    server.onRecv((message) => server.sendMultipart(message))
    const reported: string[] = []
    client.onSend((message) => reported.push(String(message[0])))
    const replies: string[] = []
    const echoed = new Promise<void>((resolve) => {
      client.onRecv(([reply]) => {
        replies.push(String(reply))
        if (replies.length === ROUND_TRIPS) resolve()
        else client.send(String(replies.length))
      })
    })
    client.send("0")
    await within(echoed, 10_000, `${ROUND_TRIPS} round trips`, real)
    t.same(
      replies,
      Array.from({ length: ROUND_TRIPS }, (_, i) => String(i)),
      "every reply, in order",
    )
    t.same(reported, replies, "every send reported to onSend")

    const poller = new Poller(ctx.loop)
    poller.register(pull, POLLIN)
    const polled = poller.poll(5000)
    await push.send("ready")
    const events = await within(polled, 10_000, "the poll", real)
    t.same(events, [[pull, POLLIN]], "the poll settles with the socket ready")
  })
})
