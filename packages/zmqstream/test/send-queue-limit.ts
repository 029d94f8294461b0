// The bounded send queue (issue 16 item 3): opt-in back-pressure in Node's style (send*() returns whether
// the queue is below its limit, onDrain once it has emptied), pyzmq's unbounded queue by default. The peer
// is an inproc PULL that does not read at first: with high-water marks of 10, libzmq takes about 20
// messages, and the rest waits in the stream's queue.
import * as zmq from "zeromq"
import type { IOLoop } from "@zmq-eventloop/ioloop"
import { SendQueueFullError, ZMQStream, type Part } from "../src/index.js"
import { bindAny, deferred, loopTest, type LoopContext } from "./helpers/loop.js"

/** A PUSH whose inproc peer does not read until `readAll` is called. */
async function stalledPair({ track }: LoopContext) {
  const push = track(new zmq.Push({ sendHighWaterMark: 10 }))
  const pull = track(new zmq.Pull({ receiveHighWaterMark: 10 }))
  pull.connect(await bindAny(push, "inproc"))
  /** Reads `count` messages (the first part of each, as text), failing after a deadline. */
  const readAll = async (count: number): Promise<string[]> => {
    const got: string[] = []
    const done = deferred()
    void (async () => {
      while (got.length < count) got.push(String((await pull.receive())[0]))
      done.resolve()
    })()
    await done.wait(`${count} messages at the peer (got ${got.length})`)
    return got
  }
  return { push, readAll }
}

/** Runs `body` as a loop callback (sends made there do not start before the loop turns again). */
function onLoop<T>(loop: IOLoop, body: () => T): Promise<T> {
  return new Promise((resolve) => loop.addCallback(() => resolve(body())))
}

const numbers = (count: number) => Array.from({ length: count }, (_, i) => String(i))

loopTest("without a limit (the default, as pyzmq) every send returns true", async (t, ctx) => {
  const { push, readAll } = await stalledPair(ctx)
  const stream = new ZMQStream(push, ctx.loop)
  t.same(stream.sendQueueLimit, { maxMessages: Infinity, maxBytes: Infinity, whenFull: "accept" })
  const answers = await onLoop(ctx.loop, () => numbers(2000).map((text) => stream.send(text)))
  t.ok(
    answers.every((room) => room),
    "2000 sends to a peer that does not read: all true",
  )
  t.ok(
    stream.queuedMessages() > 1900,
    `the queue holds what libzmq could not take (${stream.queuedMessages()})`,
  )
  t.same(await readAll(2000), numbers(2000), "every message arrives once, in order")
})

loopTest(
  "at its limit send() returns false, onDrain fires once the peer reads, and every message arrives once, in order",
  async (t, ctx) => {
    const { push, readAll } = await stalledPair(ctx)
    const stream = new ZMQStream(push, { ioLoop: ctx.loop, sendQueueLimit: { maxMessages: 100 } })
    const total = 3000
    let next = 0
    let falses = 0
    let drains = 0
    let mostQueued = 0
    const full = deferred()
    // Node's pump: write until write() says stop, go on at 'drain'.
    const pump = () => {
      while (next < total) {
        const room = stream.send(String(next++))
        mostQueued = Math.max(mostQueued, stream.queuedMessages())
        if (!room) {
          if (++falses === 1) full.resolve()
          return
        }
      }
    }
    stream.onDrain(() => {
      drains++
      t.equal(stream.queuedMessages(), 0, "onDrain: the queue is empty")
      pump()
    })
    ctx.loop.addCallback(pump)
    await full.wait("a send that found the queue full")
    // The loop may have handed a few more to libzmq meanwhile (about 20 fit), never all of them.
    const queued = stream.queuedMessages()
    t.ok(queued > 0 && queued <= 100, `the stalled stream holds at most its limit (${queued})`)
    t.equal(drains, 0, "no onDrain while the peer does not read")
    t.same(await readAll(total), numbers(total), "every message arrives once, in order")
    t.ok(mostQueued <= 100, `the queue never held more than its limit (${mostQueued})`)
    t.ok(falses > 1, `the pump was held back ${falses} times`)
    t.equal(drains, falses, "one onDrain for each time send() returned false")
  },
)

loopTest(
  'whenFull "refuse": the message is not queued, and its callbacks get a SendQueueFullError from the loop',
  async (t, ctx) => {
    const { push, readAll } = await stalledPair(ctx)
    const stream = new ZMQStream(push, ctx.loop)
    stream.setSendQueueLimit({ maxMessages: 5, whenFull: "refuse" })
    const statuses: string[] = []
    stream.onSend((msg, status) => statuses.push(`${String(msg[0])}:${status?.name ?? "sent"}`))
    const errors: Error[] = []
    const reported = deferred()
    stream.onErr((error) => {
      errors.push(error)
      reported.resolve()
    })
    let drains = 0
    stream.onDrain(() => drains++)
    let refusedCallback: { msg: Part[]; status: Error | undefined } | null = null
    const answers = await onLoop(ctx.loop, () => {
      const accepted = numbers(5).map((text) => stream.send(text))
      const refused = stream.send("refused", {
        callback: (msg, status) => (refusedCallback = { msg, status }),
      })
      t.equal(refusedCallback, null, "no callback runs inside send()")
      t.equal(stream.queuedMessages(), 5, "the refused message was not queued")
      return [...accepted, refused]
    })
    t.same(answers, [true, true, true, true, false, false], "false from the send that fills the queue on")
    await reported.wait("the refusal's onErr")
    const error = errors[0]!
    t.ok(error instanceof SendQueueFullError, "a SendQueueFullError")
    t.equal((error as SendQueueFullError).code, "ERR_SEND_QUEUE_FULL")
    t.match(error.message, /send queue full \(limit 5 messages\)/)
    t.same(refusedCallback, { msg: ["refused"], status: error }, "the per-send callback got it too")
    t.same(await readAll(5), numbers(5), "the accepted messages arrive, the refused one does not")
    t.same(
      statuses.sort(),
      ["0:sent", "1:sent", "2:sent", "3:sent", "4:sent", "refused:SendQueueFullError"],
      "onSend: each message once, the refused one with its error",
    )
    t.equal(drains, 1, "onDrain once the queue emptied")
  },
)

loopTest("maxBytes counts each part's length, strings as UTF-8", async (t, ctx) => {
  const { push, readAll } = await stalledPair(ctx)
  const stream = new ZMQStream(push, { ioLoop: ctx.loop, sendQueueLimit: { maxBytes: 1000 } })
  stream.onSend(() => {}) // every message is queued (no immediate send), so the counts are exact
  const { answers, bytes } = await onLoop(ctx.loop, () => {
    const answers = [
      stream.send(Buffer.alloc(300)),
      stream.sendMultipart([new Uint8Array(200), new ArrayBuffer(100)]),
      stream.sendString("é".repeat(150)), // 300 bytes as UTF-8
      stream.send("€"), // 3 bytes: 903, still below
      stream.send("x".repeat(97)), // 1000: at the limit
    ]
    return { answers, bytes: stream.queuedBytes() }
  })
  t.same(answers, [true, true, true, true, false])
  t.equal(bytes, 1000, "queuedBytes() is the sum of the parts' lengths")
  await readAll(5)
  t.equal(stream.queuedBytes(), 0, "nothing is counted once everything went")
})

loopTest("setSendQueueLimit() applies to the next send; queued messages stay", async (t, ctx) => {
  const { push, readAll } = await stalledPair(ctx)
  const stream = new ZMQStream(push, ctx.loop)
  stream.onSend(() => {})
  const answers = await onLoop(ctx.loop, () => {
    const answers = numbers(10).map((text) => stream.send(text))
    stream.setSendQueueLimit({ maxMessages: 5 })
    answers.push(stream.send("10"))
    stream.setSendQueueLimit({ maxMessages: Infinity })
    answers.push(stream.send("11"))
    return answers
  })
  t.same(answers, [...Array<boolean>(10).fill(true), false, true])
  t.same(stream.sendQueueLimit, { maxMessages: Infinity, maxBytes: Infinity, whenFull: "accept" })
  t.same(await readAll(12), numbers(12), "nothing queued was dropped by a lower limit")
})

loopTest("close(): no onDrain after it; a pending refusal is reported before it returns", async (t, ctx) => {
  const { push } = await stalledPair(ctx)
  const stream = new ZMQStream(push, {
    ioLoop: ctx.loop,
    sendQueueLimit: { maxMessages: 2, whenFull: "refuse" },
  })
  const events: string[] = []
  stream.onDrain(() => events.push("drain"))
  stream.onSend((msg, status) => events.push(`onSend ${String(msg[0])} ${status?.name ?? "sent"}`))
  stream.onErr((error) => events.push(`onErr ${error.name}`))
  stream.setCloseCallback(() => events.push("close callback"))
  await onLoop(ctx.loop, () => {
    stream.send("a")
    stream.send("b")
    stream.send("c") // refused: its report is due on the next turn of the loop
    stream.close(0)
    events.push("close() returned")
  })
  await onLoop(ctx.loop, () => {}) // a turn in which a late report would run
  await new Promise((resolve) => setImmediate(resolve))
  t.same(events, [
    "onSend c SendQueueFullError",
    "onErr SendQueueFullError",
    "close callback",
    "close() returned",
  ])
})
