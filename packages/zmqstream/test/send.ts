// Sending through ZMQStream: ported from pyzmq's zmq/tests/test_zmqstream.py (send_multipart is deferred,
// on_send gets (msg, status)), plus ordering, back-pressure at the high-water mark and the socket patterns.
import t from "tap"
import * as zmq from "zeromq"
import { IOLoop, WRITE } from "@zmq-eventloop/ioloop"
import { loadJson, loadPyobj, SNDMORE, ZMQStream, type Part } from "../src/index.js"
import { bindAny, deferred, loopTest, waitFor, type LoopContext } from "./helpers/loop.js"

/** Collects what a plain zeromq.js socket receives, in the background. */
function collect(socket: zmq.Readable & zmq.Socket): Buffer[][] {
  const got: Buffer[][] = []
  void (async () => {
    try {
      for await (const msg of socket) got.push(msg)
    } catch {
      // closed at teardown
    }
  })()
  return got
}

loopTest(
  "queued multipart messages reach the peer in order, exactly once, with one onSend each",
  async (t, { loop, track }) => {
    const pull = track(new zmq.Pull())
    const push = track(new zmq.Push())
    push.connect(await bindAny(pull))
    const stream = new ZMQStream(push, loop)
    const N = 10_000
    const statuses: unknown[] = []
    stream.onSend((_msg, status) => statuses.push(status))
    const got = collect(pull)
    for (let i = 0; i < N; i++) stream.sendMultipart([String(i), Buffer.from("mid"), `end${i}`])
    await waitFor(() => got.length >= N, `${N} messages`, 30_000)
    t.ok(
      got.every((m, i) => m.length === 3 && String(m[0]) === String(i) && String(m[2]) === `end${i}`),
      "in order, whole",
    )
    await waitFor(() => statuses.length >= N, "every onSend")
    t.equal(statuses.length, N)
    t.ok(
      statuses.every((s) => s === undefined),
      "status undefined for each",
    )
    t.notOk(stream.sending())
    stream.close()
  },
)

t.test("send() only queues: nothing leaves before the loop runs", async (t) => {
  const loop = new IOLoop({ makeCurrent: false, poller: "fd" })
  const pull = new zmq.Pull()
  const push = new zmq.Push()
  push.connect(await bindAny(pull))
  const stream = new ZMQStream(push, loop)
  const sent: Part[][] = []
  stream.onSend((msg) => sent.push(msg))
  stream.send("x")
  t.ok(stream.sending(), "queued")
  t.same(sent, [])
  const running = loop.start()
  const [msg] = await pull.receive()
  t.equal(String(msg), "x")
  await waitFor(() => sent.length === 1, "onSend")
  t.same(sent, [["x"]], "onSend gets the parts as queued")
  t.notOk(stream.sending())
  loop.stop()
  await running
  stream.close()
  pull.close()
  loop.close()
})

loopTest(
  "a message nobody waits to hear about leaves inside send(), on either data path",
  async (t, { loop, track }) => {
    const pull = track(new zmq.Pull())
    const push = track(new zmq.Push())
    push.connect(await bindAny(pull))
    const stream = new ZMQStream(push, loop)
    const got = collect(pull)
    const state = () => [stream.sending(), stream.queuedMessages(), stream.queuedBytes()]
    stream.send("a")
    const afterQuiet = state()
    stream.send("bb", { callback: () => {} })
    const afterCallback = state()
    t.same(afterQuiet, [false, 0, 0], "handed to libzmq: not queued")
    t.same(afterCallback, [true, 1, 2], "a message whose callback waits is queued for the loop")
    await waitFor(() => got.length === 2, "both messages")
    t.same(got.map(String), ["a", "bb"], "in order")
    stream.close()
  },
)

loopTest("a send the socket has no room for is queued, on either data path", async (t, { loop, track }) => {
  const push = track(new zmq.Push())
  const stream = new ZMQStream(push, loop)
  stream.send("a")
  t.same([stream.sending(), stream.queuedMessages()], [true, 1], "no peer yet: queued")
  const pull = track(new zmq.Pull())
  push.connect(await bindAny(pull))
  const [msg] = await pull.receive()
  t.equal(String(msg), "a", "sent once a peer is there")
  await waitFor(() => !stream.sending(), "the queue to empty")
  stream.close()
})

loopTest("a per-send callback is called for its message, and onSend too", async (t, { loop, track }) => {
  const pull = track(new zmq.Pull())
  const push = track(new zmq.Push())
  push.connect(await bindAny(pull))
  const stream = new ZMQStream(push, loop)
  const calls: string[] = []
  stream.onSend((msg) => calls.push(`onSend ${String(msg[0])}`))
  stream.send("a")
  stream.send("b", { callback: (msg, status) => calls.push(`callback ${String(msg[0])} ${String(status)}`) })
  stream.send("c")
  await waitFor(() => calls.length === 4, "four calls")
  t.same(calls, ["onSend a", "callback b undefined", "onSend b", "onSend c"])
  // And each reached the peer once, in order.
  t.same(await receiveTexts(pull, 3), ["a", "b", "c"])
  stream.close()
})

/** A PUSH stream connected over inproc to a plain PULL, which has room: its sends can go inside send(). */
async function inprocPushStream({
  loop,
  track,
}: LoopContext): Promise<{ pull: zmq.Pull; stream: ZMQStream }> {
  const pull = track(new zmq.Pull())
  const push = track(new zmq.Push())
  push.connect(await bindAny(pull, "inproc"))
  return { pull, stream: new ZMQStream(push, loop) }
}

/** The first frames of the next `count` messages `pull` receives, as text. */
async function receiveTexts(pull: zmq.Pull, count: number): Promise<string[]> {
  const texts: string[] = []
  while (texts.length < count) texts.push(String((await pull.receive())[0]))
  return texts
}

loopTest(
  "the loop refuses to change a stream's registration behind its back, and the stream goes on",
  async (t, ctx) => {
    // removeHandler on a stream's socket left the stream deaf, and on the zeromq.js path its next send*()
    // threw the loop's "not registered" after queueing the message, which then never went
    const { loop } = ctx
    const { pull, stream } = await inprocPushStream(ctx)
    for (const [method, call] of [
      ["removeHandler", () => loop.removeHandler(stream.socket)],
      ["updateHandler", () => loop.updateHandler(stream.socket, WRITE)],
    ] as const) {
      t.throws(call, { message: new RegExp(`^${method}: Push socket belongs to a ZMQStream on this loop`) })
    }
    stream.send("a")
    stream.send("b")
    t.same(await receiveTexts(pull, 2), ["a", "b"], "both sent")
    stream.close()
  },
)

loopTest(
  "what a loop callback queues behind a message sent at once goes out in that iteration, with its callback",
  async (t, ctx) => {
    const { loop } = ctx
    const { pull, stream } = await inprocPushStream(ctx)
    const events: string[] = []
    const done = deferred()
    loop.addCallback(() => {
      stream.send("a") // nobody waits to hear of it: handed to libzmq at once (or its send is in flight)
      stream.send("b", { callback: (msg) => events.push(`callback ${String(msg[0])}`) })
      stream.send("c")
      loop.addCallback(() => {
        events.push(`next iteration: ${stream.queuedMessages()} queued`)
        done.resolve()
      })
    })
    await done.wait("the next iteration's callback")
    t.same(events, ["callback b", "next iteration: 0 queued"], "as pyzmq, whose WRITE handler runs first")
    t.same(await receiveTexts(pull, 3), ["a", "b", "c"])
    stream.close()
  },
)

loopTest(
  "onSend registered right after sends, in the same job, hears of each of them (pyzmq's send is deferred)",
  async (t, ctx) => {
    const { loop } = ctx
    const { pull, stream } = await inprocPushStream(ctx)
    const reported: string[] = []
    loop.addCallback(() => {
      // Nobody waits to hear about these when they are sent: on the native path they go inside send().
      for (const text of ["a", "b", "c", "d", "e"]) stream.send(text)
      stream.onSend((msg, status) => reported.push(`${String(msg[0])} ${String(status)}`))
    })
    await waitFor(() => reported.length >= 5, "five onSend calls")
    t.same(reported, ["a undefined", "b undefined", "c undefined", "d undefined", "e undefined"])
    t.same(await receiveTexts(pull, 5), ["a", "b", "c", "d", "e"], "each reached the peer once, in order")
    stream.close()
  },
)

loopTest(
  "onSend hears of messages in send order when one went inside send() and the next were queued",
  async (t, ctx) => {
    const { loop } = ctx
    const { stream } = await inprocPushStream(ctx)
    const reported: string[] = []
    // From a loop callback: the WRITE dispatch that sends m1 and m2 runs in the same job.
    loop.addCallback(() => {
      stream.send("m0") // nobody waits to hear about it: on the native path it goes inside send()
      stream.onSend((msg) => reported.push(String(msg[0])))
      stream.send("m1")
      stream.send("m2")
    })
    await waitFor(() => reported.length >= 3, "three onSend calls")
    t.same(reported, ["m0", "m1", "m2"])
    stream.close()
  },
)

loopTest("a send that fails gives its Error as status to onSend and to onErr", async (t, { loop, track }) => {
  const router = track(new zmq.Router({ mandatory: true }))
  const dealer = track(new zmq.Dealer())
  dealer.connect(await bindAny(router))
  const stream = new ZMQStream(router, loop)
  // With ROUTER_MANDATORY, a ROUTER is writable only once it has a peer: wait for the dealer's hello.
  const hello = deferred()
  stream.onRecv(() => hello.resolve())
  await dealer.send("hello")
  await hello.wait("the dealer's hello")
  const statuses: unknown[] = []
  const errors: Error[] = []
  stream.onSend((_msg, status) => statuses.push(status))
  stream.onErr((error) => errors.push(error))
  stream.sendMultipart(["nobody", "hello"])
  await waitFor(() => statuses.length === 1 && errors.length === 1, "the failed send")
  t.equal((statuses[0] as { code?: string }).code, "EHOSTUNREACH")
  t.equal(errors[0], statuses[0], "the same Error")
  t.notOk(stream.sending(), "a failed message leaves the queue")
  t.notOk(stream.closed())
  stream.close()
})

loopTest(
  "a send option the socket cannot take is a TypeError at the call, and nothing is queued",
  async (t, { loop, track }) => {
    const pull = track(new zmq.Pull())
    const push = track(new zmq.Push())
    push.connect(await bindAny(pull))
    const stream = new ZMQStream(push, loop)
    for (const [options, message] of [
      [{ routingId: 7 }, /^options\.routingId is not a send option of a Push socket/],
      [{ group: "g" }, /^options\.group is not a send option of a Push socket/],
      [{ flags: 4 }, /^options\.flags must only hold SNDMORE/],
      [{ flags: 2 ** 53 }, /^options\.flags must only hold SNDMORE/],
      [{ flags: "2" }, /^options\.flags must be an integer/],
      [{ copy: "yes" }, /^options\.copy must be a boolean/],
      [{ track: true }, /^options\.track has no equivalent on a stream: there is no MessageTracker/],
      [{ nonsense: 1 }, /^options\.nonsense is not a send option/],
      [{ flags: 2, callback: () => {} }, /^options: give callback/],
    ] as const) {
      t.throws(() => stream.send("x", options as never), { message }, JSON.stringify(options))
    }
    t.notOk(stream.sending(), "nothing was queued")
    stream.close()
  },
)

loopTest(
  "at the high-water mark the stream waits for a paused peer, then delivers everything in order",
  async (t, { loop, track }) => {
    const pull = track(new zmq.Pull({ receiveHighWaterMark: 4 }))
    const push = track(new zmq.Push({ sendHighWaterMark: 4 }))
    push.connect(await bindAny(pull, "inproc"))
    const stream = new ZMQStream(push, loop)
    let sent = 0
    stream.onSend(() => sent++)
    const N = 500
    for (let i = 0; i < N; i++) stream.sendMultipart([String(i), "a", "b"])
    await waitFor(() => sent > 0, "the first sends")
    // Let the loop run a few dozen iterations: nothing more may leave while the peer does not read.
    const settled = deferred()
    let turns = 0
    const turn = () => (++turns === 50 ? settled.resolve() : loop.addCallback(turn))
    loop.addCallback(turn)
    await settled.wait("50 loop turns")
    t.ok(sent < 20, `only a high-water mark's worth left (${sent})`)
    t.ok(stream.sending(), "the rest stays queued")
    const got: string[] = []
    let wholeParts = true
    for await (const msg of pull) {
      if (msg.length !== 3) wholeParts = false
      got.push(String(msg[0]))
      if (got.length === N) break
    }
    t.ok(wholeParts, "multipart messages stay whole")
    t.same(
      got,
      Array.from({ length: N }, (_, i) => String(i)),
    )
    await waitFor(() => sent === N, "every onSend")
    stream.close()
  },
)

loopTest(
  "REQ and REP streams work in lock-step, a second request waiting for the first reply",
  async (t, { loop, track }) => {
    const rep = track(new zmq.Reply())
    const req = track(new zmq.Request())
    req.connect(await bindAny(rep))
    const server = new ZMQStream(rep, loop)
    const client = new ZMQStream(req, loop)
    server.onRecv((msg) => server.sendMultipart([Buffer.concat([Buffer.from("re:"), msg[0]!])]))
    const replies: string[] = []
    client.onRecv((msg) => {
      replies.push(String(msg[0]))
      if (replies.length >= 2 && replies.length < 50) client.send(`q${replies.length}`)
    })
    client.send("q0")
    client.send("q1") // queued until the reply to q0: REQ cannot send twice
    await waitFor(() => replies.length === 50, "50 replies")
    t.same(
      replies,
      Array.from({ length: 50 }, (_, i) => `re:q${i}`),
    )
    server.close()
    client.close()
  },
)

loopTest("a ROUTER stream answers each DEALER through its routing id", async (t, { loop, track }) => {
  const router = track(new zmq.Router())
  const endpoint = await bindAny(router)
  const server = new ZMQStream(router, loop)
  server.onRecv(([id, ...body]) => server.sendMultipart([id!, Buffer.from(`for ${String(id)}:`), ...body]))
  const answers = new Map<string, string[]>()
  const dealers = ["alice", "bob"].map((name) => {
    const dealer = track(new zmq.Dealer({ routingId: name }))
    dealer.connect(endpoint)
    const stream = new ZMQStream(dealer, loop)
    answers.set(name, [])
    stream.onRecv((msg) => answers.get(name)!.push(msg.map(String).join(" ")))
    return stream
  })
  for (let i = 0; i < 3; i++) for (const d of dealers) d.send(`m${i}`)
  await waitFor(() => [...answers.values()].every((a) => a.length === 3), "three answers each")
  t.same(answers.get("alice"), ["for alice: m0", "for alice: m1", "for alice: m2"])
  t.same(answers.get("bob"), ["for bob: m0", "for bob: m1", "for bob: m2"])
  server.close()
  for (const d of dealers) d.close()
})

loopTest(
  "Frames received with copy: false go back out as parts, as pyzmq's send_multipart takes zmq.Frames",
  async (t, { loop, track }) => {
    const router = track(new zmq.Router())
    const endpoint = await bindAny(router)
    const server = new ZMQStream(router, loop)
    // A forwarder written the pyzmq way: the received frames, unchanged, through both send methods.
    server.onRecv(
      ([id, ...body]) => {
        server.send(id!, { flags: SNDMORE })
        server.sendMultipart(body)
      },
      { copy: false },
    )
    const dealer = track(new zmq.Dealer())
    dealer.connect(endpoint)
    const client = new ZMQStream(dealer, loop)
    const echoes: string[][] = []
    client.onRecv((msg) => echoes.push(msg.map(String)))
    for (let i = 0; i < 3; i++) client.sendMultipart([`m${i}`, Buffer.from([i])])
    await waitFor(() => echoes.length === 3, "three echoes")
    t.same(
      echoes,
      [0, 1, 2].map((i) => [`m${i}`, String(Buffer.from([i]))]),
    )
    server.close()
    client.close()
  },
)

loopTest("a SUB stream receives only what stream.subscribe asked for", async (t, { loop, track }) => {
  const pub = track(new zmq.Publisher())
  const sub = track(new zmq.Subscriber())
  sub.connect(await bindAny(pub))
  const stream = new ZMQStream(sub, loop)
  stream.subscribe("news")
  const got: string[] = []
  stream.onRecv((msg) => got.push(String(msg[0])))
  // PUB drops messages until the subscription arrives: publish until one gets through.
  const publisher = new ZMQStream(pub, loop)
  let n = 0
  while (got.length === 0) {
    publisher.send(`weather ${n}`)
    publisher.send(`news ${n++}`)
    await new Promise<void>((resolve) => loop.addCallback(() => resolve()))
    if (n > 100_000) throw new Error("no message came through")
  }
  await waitFor(() => !publisher.sending(), "the publisher's queue to drain")
  t.ok(
    got.every((m) => m.startsWith("news ")),
    "no weather",
  )
  stream.unsubscribe("news")
  publisher.close()
  stream.close()
})

loopTest(
  "sendString, sendJson and sendPyobj write what loadJson and loadPyobj read back",
  async (t, { loop, track }) => {
    const pull = track(new zmq.Pull())
    const push = track(new zmq.Push())
    push.connect(await bindAny(pull))
    const stream = new ZMQStream(push, loop)
    stream.sendString("héllo")
    stream.sendUnicode("héllo", { encoding: "latin1" })
    stream.sendJson({ text: "ünïcødé ✓", list: [1, 2] })
    stream.sendPyobj({ a: [1, "b"] }, { protocol: 2 })
    const [s1] = await pull.receive()
    const [s2] = await pull.receive()
    const [json] = await pull.receive()
    const [pickle] = await pull.receive()
    t.equal(s1!.toString("utf8"), "héllo")
    t.same([...s2!], [...Buffer.from("héllo", "latin1")])
    t.same(loadJson(json!), { text: "ünïcødé ✓", list: [1, 2] })
    t.same(loadPyobj(pickle!), { a: [1, "b"] })
    t.equal(pickle![1], 2, "protocol 2")
    stream.close()
  },
)
