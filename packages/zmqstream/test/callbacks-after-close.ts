// The close rule (issue 16 item 4, issue 15 item 9): once `close()` returns, or the socket is closed
// directly, no callback of the stream runs, except the close callback (inside close()) and the report of
// messages that could not be sent (onErr, which may come once zeromq.js settled the last sends). pyzmq's
// close() drops its queue without callbacks; ours first hands libzmq what it can, silently.
import * as zmq from "zeromq"
import type { IOLoop } from "@zmq-eventloop/ioloop"
import { ZMQStream } from "../src/index.js"
import { bindAny, deferred, loopTest } from "./helpers/loop.js"

/** Lets the loop go round a few times and every pending promise settle. */
async function settle(loop: IOLoop): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise<void>((resolve) => loop.addCallback(() => resolve()))
    await new Promise((resolve) => setImmediate(resolve))
  }
}

loopTest("a socket closed directly inside onRecv gets nothing more delivered", async (t, { loop, track }) => {
  const pull = track(new zmq.Pull())
  const push = track(new zmq.Push())
  push.connect(await bindAny(pull, "inproc"))
  for (let i = 0; i < 300; i++) await push.send(String(i)) // more than one native batch waits
  const stream = new ZMQStream(pull, loop)
  const got: string[] = []
  const closed = deferred()
  stream.setCloseCallback(() => closed.resolve())
  stream.onRecv((msg) => {
    got.push(msg[0]!.toString())
    pull.close()
  })
  await closed.wait("the close callback")
  await settle(loop)
  t.same(got, ["0"], "one message, then nothing")
  t.ok(stream.closed(), "the stream closed with its socket")
})

loopTest(
  "after close() returns, only the close callback and the unsent report run",
  async (t, { loop, track }) => {
    // inproc, a peer that never reads: room for 20 messages in all (no tcp buffers to absorb more), so of
    // the 100 queued, close() (at the tenth onSend) can hand over some and must report the rest unsent.
    const push = track(new zmq.Push({ sendHighWaterMark: 10 }))
    const pull = track(new zmq.Pull({ receiveHighWaterMark: 10 }))
    pull.connect(await bindAny(push, "inproc"))
    const stream = new ZMQStream(push, loop)
    const events: string[] = []
    let closeReturned = false
    const record = (what: string) => events.push(`${closeReturned ? "after" : "before"} ${what}`)
    let onSends = 0
    const closedInside = deferred()
    stream.onSend(() => {
      record("onSend")
      // Close from inside the tenth onSend, with more of the chain to come and messages still queued.
      if (++onSends === 10) {
        stream.close()
        closeReturned = true
        closedInside.resolve()
      }
    })
    stream.onErr((error) =>
      record(`onErr ${/could not be sent/.test(error.message) ? "unsent" : error.message}`),
    )
    stream.setCloseCallback(() => record("close callback"))
    for (let i = 0; i < 100; i++) stream.send(String(i), { callback: () => record(`callback ${i}`) })
    await closedInside.wait("the tenth onSend")
    await settle(loop)
    const after = events.filter((event) => event.startsWith("after"))
    t.same(
      after.filter((event) => event !== "after onErr unsent"),
      [],
      "nothing but the unsent report after close() returned",
    )
    t.ok(events.includes("before close callback"), "the close callback ran inside close()")
    t.ok(
      events.some((event) => event.endsWith("onErr unsent")),
      "the unsent messages were reported",
    )
  },
)

loopTest(
  "close() inside a per-send callback: onSend and onErr do not run for that message",
  async (t, { loop, track }) => {
    for (const outcome of ["sent", "EHOSTUNREACH"]) {
      // A mandatory ROUTER is writable once it has a peer: wait for the dealer's hello, then send to it
      // (the message goes out) or to a routing id nobody has (the send fails with EHOSTUNREACH).
      const router = track(new zmq.Router({ mandatory: true }))
      const dealer = track(new zmq.Dealer())
      dealer.connect(await bindAny(router))
      const stream = new ZMQStream(router, loop)
      const hello = deferred<Buffer>()
      stream.onRecv((msg) => hello.resolve(msg[0]!))
      await dealer.send("hello")
      const dealerId = await hello.wait("the dealer's hello")
      const to = outcome === "sent" ? dealerId : Buffer.from("nobody")
      const events: string[] = []
      stream.onSend(() => events.push("onSend"))
      stream.onErr((error) => events.push(`onErr ${error.message}`))
      const closed = deferred()
      stream.setCloseCallback(() => {
        events.push("close callback")
        closed.resolve()
      })
      stream.sendMultipart([to, "x"], {
        callback: (_msg, status) => {
          events.push(`callback ${(status as { code?: string } | undefined)?.code ?? "sent"}`)
          stream.close()
        },
      })
      await closed.wait("the close callback")
      await settle(loop)
      t.same(events, [`callback ${outcome}`, "close callback"], outcome)
    }
  },
)
