// libzmq's thread-safe draft sockets (zeromq.js's `zeromq/draft`): SERVER/CLIENT and RADIO/DISH through
// streams. They have no ZMQ_FD, so only the interval poller watches them (the fd poller refuses them with a
// TypeError saying so, where it threw a bare EINVAL); a SERVER's or DISH's message ends with zeromq.js's
// `{ routingId }` / `{ group }` (counted as bytes, it stalled the stream after its first message); and they
// send one-part messages only.
import * as draft from "zeromq/draft.js"
import { IOLoop } from "@zmq-eventloop/ioloop"
import { SNDMORE, ZMQStream, type Frame } from "../src/index.js"
import type { Test } from "tap"
import type { Socket } from "zeromq"
import { deferred, loopTest, type LoopContext } from "./helpers/loop.js"

process.removeAllListeners("warning") // zeromq.js warns once that its draft sockets are experimental

let endpoints = 0

/** `bound` bound to a fresh inproc endpoint, `connected` connected to it; both closed at teardown. */
async function connectedPair<B extends Socket, C extends Socket>(
  track: LoopContext["track"],
  bound: B,
  connected: C,
): Promise<[B, C]> {
  const endpoint = `inproc://draft-sockets-${process.pid}-${++endpoints}`
  await track(bound).bind(endpoint)
  track(connected).connect(endpoint)
  return [bound, connected]
}

/** A loop test whose body runs on the interval poller only: the fd poller refuses these sockets. */
function intervalPollerTest(title: string, body: (t: Test, ctx: LoopContext) => Promise<void>): void {
  loopTest(title, async (t, ctx) => {
    if (ctx.poller === "fd") {
      t.pass("the fd poller refuses the socket (the first test)")
      return
    }
    await body(t, ctx)
  })
}

loopTest(
  "a thread-safe draft socket: refused by the fd poller, saying why",
  async (t, { loop, poller, track }) => {
    if (poller !== "fd") {
      t.pass("the interval poller takes it (the tests below)")
      return
    }
    for (const socket of [new draft.Server(), new draft.Dish(), new draft.Client()]) {
      track(socket)
      t.throws(() => new ZMQStream(socket, loop), {
        name: "TypeError",
        message:
          /has no ZMQ_FD .* use a loop with the interval poller, new IOLoop\(\{ poller: "interval" \}\)$/,
      })
      t.throws(() => loop.addHandler(socket, () => {}, IOLoop.READ), TypeError)
    }
  },
)

intervalPollerTest(
  "a SERVER stream hears every CLIENT message, with its routing id, and answers it",
  async (t, { loop, track }) => {
    const [server, client] = await connectedPair(track, new draft.Server(), new draft.Client())
    const stream = new ZMQStream(server, loop)
    const got: string[] = []
    const ids: unknown[] = []
    const all = deferred()
    stream.onRecv((msg) => {
      // As zeromq.js's receive() resolves: the part, then { routingId }.
      const [part, info] = msg as unknown as [Buffer, { routingId: number }]
      got.push(String(part))
      ids.push(info.routingId)
      if (got.length === 1) stream.send(`re:${String(part)}`, { routingId: info.routingId })
      if (got.length === 5) all.resolve()
    })
    for (let i = 0; i < 5; i++) await client.send(`m${i}`)
    await all.wait("five messages")
    t.same(got, ["m0", "m1", "m2", "m3", "m4"])
    t.equal(new Set(ids).size, 1, "one client, one routing id")
    t.same((await client.receive()).map(String), ["re:m0"], "the answer reached the client")
    stream.close()
  },
)

intervalPollerTest(
  "with copy: false a SERVER's or DISH's frame carries routingId or group",
  async (t, { loop, track }) => {
    const dish = new draft.Dish()
    dish.join("g1")
    const [radio] = await connectedPair(track, new draft.Radio(), dish)
    const stream = new ZMQStream(dish, loop)
    const frames: Frame[][] = []
    const first = deferred()
    const last = deferred()
    stream.onRecv(
      (msg) => {
        frames.push(msg)
        first.resolve()
        if (String(msg[0]!.buffer) === "m2") last.resolve()
      },
      { copy: false },
    )
    // A DISH joins on its connection's handshake: probe until a probe arrives, then send the two to check.
    const probing = setInterval(() => void radio.send("probe", { group: "g1" }).catch(() => {}), 5)
    t.teardown(() => clearInterval(probing))
    await first.wait("a probe")
    clearInterval(probing)
    await radio.send("m1", { group: "g1" })
    await radio.send("m2", { group: "g1" })
    await last.wait("m2")
    const checked = frames.filter((msg) => String(msg[0]!.buffer) !== "probe")
    t.same(
      checked.map((msg) => msg.map((frame) => [String(frame.buffer), String(frame.group), frame.more])),
      [[["m1", "g1", false]], [["m2", "g1", false]]],
      "one frame per message, its group on it",
    )
    t.notOk("routingId" in checked[0]![0]!, "no routingId on a DISH frame")
    stream.close()
  },
)

intervalPollerTest(
  "a thread-safe draft socket refuses a multipart send at the call",
  async (t, { loop, track }) => {
    const stream = new ZMQStream(track(new draft.Client()), loop)
    t.throws(() => stream.sendMultipart(["a", "b"]), {
      name: "TypeError",
      message:
        "parts: a Client socket sends one-part messages only (libzmq refuses more parts, or SNDMORE, on its thread-safe draft sockets), got 2 parts",
    })
    t.throws(() => stream.send("a", { flags: SNDMORE }), { name: "TypeError", message: /got SNDMORE$/ })
    t.notOk(stream.sending(), "nothing queued")
    stream.close()
  },
)
