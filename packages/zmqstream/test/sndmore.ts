// pyzmq's `stream.send(identity, zmq.SNDMORE); stream.send(body)`: parts given with SNDMORE are held until a
// send without it, then queued as one message (atomic, one onSend), as zguide's clone servers and broker
// helpers write it.
import * as zmq from "zeromq"
import { DONTWAIT, SNDMORE, ZMQStream, type Part } from "../src/index.js"
import { IOLoop } from "@zmq-eventloop/ioloop"
import { bindAny, deferred, loopTest } from "./helpers/loop.js"

loopTest(
  "parts sent with SNDMORE go out with the next send as one message, one onSend",
  async (t, { loop, track }) => {
    const router = new ZMQStream(track(new zmq.Router()), loop)
    const endpoint = await bindAny(router.socket)
    const dealer = new ZMQStream(track(new zmq.Dealer({ routingId: "peer" })), loop)
    dealer.connect(endpoint)
    const hello = deferred<Buffer[]>()
    router.onRecv((msg) => hello.resolve(msg))
    dealer.send("hello")
    const [identity] = await hello.wait("the DEALER's hello")

    const got = deferred<string[]>()
    dealer.onRecv((msg) => got.resolve(msg.map(String)))
    const sent: Part[][] = []
    router.onSend((msg) => sent.push(msg))
    router.send(identity!, { flags: SNDMORE })
    router.sendString("topic", { flags: SNDMORE | DONTWAIT })
    t.notOk(router.sending(), "held parts are not queued yet")
    router.sendMultipart(["a", "b"], { flags: SNDMORE })
    router.sendJson({ n: 1 })
    t.same(await got.wait("the message"), ["topic", "a", "b", '{"n":1}'])
    t.equal(sent.length, 1, "onSend fired once for the whole message")
    t.equal(sent[0]!.length, 5, "with every part, the identity first")
  },
)

loopTest("close() with parts held by SNDMORE reports the unfinished message", async (t, { loop, track }) => {
  const push = new ZMQStream(track(new zmq.Push()), loop)
  const errors: string[] = []
  push.onErr((error) => errors.push(error.message))
  push.send("first part", { flags: SNDMORE })
  push.close()
  t.same(errors, ["close(): 1 queued message could not be sent"])
})

loopTest(
  "parts held by SNDMORE are reported unsent once, before the close callback, however the stream closes",
  async (t, { loop, poller, logger, track }) => {
    // Each way a stream closes: its close(), its socket closed directly, its loop closed (the loop of this
    // test keeps running: that stream gets a loop of its own).
    for (const how of ["stream.close()", "socket.close()", "loop.close()"] as const) {
      const ownLoop = how === "loop.close()" ? new IOLoop({ poller, makeCurrent: false, logger }) : loop
      const socket = track(new zmq.Push())
      const push = new ZMQStream(socket, ownLoop)
      const events: string[] = []
      const closed = deferred()
      push.onErr((error) => events.push(error.message))
      push.setCloseCallback(() => {
        events.push("closed")
        closed.resolve()
      })
      push.send("first part", { flags: SNDMORE })
      if (how === "stream.close()") push.close()
      else if (how === "socket.close()") socket.close()
      else ownLoop.close()
      await closed.wait(`the close callback after ${how}`)
      push.close() // a second close does nothing
      t.same(events, ["close(): 1 queued message could not be sent", "closed"], how)
    }
  },
)

loopTest(
  "close() with parts held by SNDMORE closes the socket whatever the logger does",
  async (t, { loop, logger, track }) => {
    const fallback: unknown[][] = []
    const consoleError = console.error
    console.error = (...args: unknown[]) => void fallback.push(args)
    t.teardown(() => void (console.error = consoleError))
    logger.debug = () => {
      throw new Error("logger down")
    }
    logger.warn = () => Promise.reject(new Error("logger down")) as unknown as void
    const socket = track(new zmq.Push())
    const push = new ZMQStream(socket, loop)
    push.send("first part", { flags: SNDMORE })
    push.close()
    t.ok(push.closed(), "the stream closed")
    t.ok(socket.closed, "and its socket")
    await new Promise<void>((resolve) => loop.addCallback(resolve)) // the warn's rejection has settled
    t.ok(fallback.some((args) => String(args[0]).includes("dropping 1 parts sent with SNDMORE")))
    t.ok(fallback.some((args) => String(args[0]).includes("1 queued message could not be sent")))
  },
)
