// A ROUTER behind a stream, with and without ZMQ_ROUTER_MANDATORY (zeromq.js `mandatory: true`): the claims
// of the README's section "ROUTER drops at the high-water mark". libzmq's zmq_socket(3): a plain ROUTER
// silently drops a message to a peer whose pipe is full or to an unknown routing id; with ROUTER_MANDATORY
// the send fails instead, with EAGAIN (no room: the stream waits for WRITE) or EHOSTUNREACH (no such peer).
import * as zmq from "zeromq"
import { POLLIN, ZMQStream } from "../src/index.js"
import { bindAny, deferred, loopTest, waitFor, type LoopContext } from "./helpers/loop.js"

const IN_FLIGHT = 5000

/**
 * A ROUTER echo stream and a DEALER client stream over inproc, both high-water marks at 1: the pipe from
 * the ROUTER to the DEALER holds 2 messages, so the ROUTER meets a full pipe over and over. The client reads
 * its replies from the start, or, with `clientReads` false, only once `readReplies()` is called.
 */
async function echoOverFullPipes(
  { loop, track }: LoopContext,
  mandatory: boolean,
  onServerSend: (() => void) | null = null,
  clientReads = true,
) {
  const endpoint = `inproc://router-mandatory-${mandatory}-${process.hrtime.bigint()}`
  const router = track(new zmq.Router({ mandatory, sendHighWaterMark: 1 }))
  await router.bind(endpoint)
  const dealer = track(new zmq.Dealer({ receiveHighWaterMark: 1 }))
  dealer.connect(endpoint)
  const server = new ZMQStream(router, loop)
  const errors: Error[] = []
  server.onErr((error) => errors.push(error))
  server.onSend(onServerSend) // before any traffic: a reply sent before it is set is not reported
  server.onRecv((msg) => server.sendMultipart(msg))
  const client = new ZMQStream(dealer, loop)
  const replies: string[] = []
  const readReplies = () => client.onRecv(([payload]) => replies.push(payload!.toString()))
  if (clientReads) readReplies()
  for (let i = 0; i < IN_FLIGHT; i++) client.send(String(i))
  return { server, client, errors, replies, readReplies }
}

/**
 * A mandatory ROUTER stream and a DEALER stream that has sent it one message, and that peer's routing id. A
 * mandatory ROUTER is writable (ZMQ_EVENTS has POLLOUT) only while some peer's pipe has room, so the stream
 * tries a send only then: a peer is connected first, and it sends once so the ROUTER knows it.
 */
async function mandatoryRouterWithPeer(loop: LoopContext["loop"], track: LoopContext["track"]) {
  const router = track(new zmq.Router({ mandatory: true }))
  const dealer = track(new zmq.Dealer())
  dealer.connect(await bindAny(router))
  const server = new ZMQStream(router, loop)
  const known = deferred<Buffer>()
  server.onRecv(([peer]) => known.resolve(peer!))
  const client = new ZMQStream(dealer, loop)
  client.send("here")
  return { server, client, peer: await known.wait("the peer's first message") }
}

loopTest(
  `a mandatory ROUTER echo waits for room: ${IN_FLIGHT} messages in flight all come back, in order`,
  async (t, ctx) => {
    const { server, client, errors, replies } = await echoOverFullPipes(ctx, true)
    await waitFor(() => replies.length === IN_FLIGHT, `${IN_FLIGHT} replies (got ${replies.length})`, 30_000)
    t.ok(
      replies.every((payload, i) => payload === String(i)),
      "every reply, in the order sent",
    )
    t.same(errors, [], "no send error: a full pipe is waited out, not reported")
    server.close()
    client.close()
  },
)

loopTest(
  `a plain ROUTER drops at a full pipe: of ${IN_FLIGHT} messages in flight, some never come back`,
  async (t, ctx) => {
    let handed = 0
    const allHanded = deferred()
    // The client reads nothing until the ROUTER handed every reply to libzmq: how many it could read
    // earlier, freeing room in the pipe, was a race that a fast poller nearly always won (4,999 of 5,000).
    const { server, client, errors, replies, readReplies } = await echoOverFullPipes(
      ctx,
      false,
      () => ++handed === IN_FLIGHT && allHanded.resolve(),
      false,
    )
    await allHanded.wait(`the ROUTER handing ${IN_FLIGHT} replies to libzmq (${handed} so far)`, 30_000)
    readReplies()
    await client.flush(POLLIN) // what the DEALER can read now: the pipe holds 2 messages at most
    t.ok(replies.length <= 2, `only ${replies.length} of ${IN_FLIGHT} came back`)
    t.same(errors, [], "and no error said so")
    server.close()
    client.close()
  },
)

loopTest(
  "a mandatory ROUTER reports a send to an unknown routing id as EHOSTUNREACH to onSend and onErr",
  async (t, { loop, track }) => {
    const { server, client, peer } = await mandatoryRouterWithPeer(loop, track)

    const failed = deferred<Error>()
    server.onErr((error) => failed.resolve(error))
    const statuses: unknown[] = []
    server.onSend((_msg, status) => statuses.push(status))
    const reply = deferred<string>()
    client.onRecv(([payload]) => reply.resolve(payload!.toString()))

    server.sendMultipart(["nobody", "hello?"])
    server.sendMultipart([peer, "after the failure"])
    const error = await failed.wait("onErr")
    t.match(error, { code: "EHOSTUNREACH" }, "onErr gets the send's EHOSTUNREACH")
    t.equal(await reply.wait("the next message"), "after the failure", "the next message goes out")
    await waitFor(() => statuses.length === 2, "two onSend calls")
    t.same(statuses, [error, undefined], "onSend's status: the same Error, then success")
    server.close()
    client.close()
  },
)

loopTest(
  "a plain ROUTER drops a message to an unknown routing id without an error",
  async (t, { loop, track }) => {
    const router = track(new zmq.Router())
    const server = new ZMQStream(router, loop)
    const errors: Error[] = []
    server.onErr((error) => errors.push(error))
    const sent = deferred<unknown>()
    server.onSend((_msg, status) => sent.resolve(status))

    server.sendMultipart(["nobody", "hello?"])
    t.equal(await sent.wait("onSend"), undefined, "onSend reports success: libzmq took the message")
    t.same(errors, [], "and nothing reaches onErr: the message is gone")
    server.close()
  },
)

loopTest(
  "without onErr, a send error is logged in one line, with its code and no stack (pyzmq's SEND Error)",
  async (t, { loop, logger, track }) => {
    const { server, client } = await mandatoryRouterWithPeer(loop, track)

    const status = deferred<unknown>()
    server.sendMultipart(["nobody", "hello?"], { callback: (_msg, error) => status.resolve(error) })
    t.match(
      await status.wait("the per-send callback"),
      { code: "EHOSTUNREACH" },
      "the callback has the error",
    )
    await waitFor(() => logger.at("error").length > 0, "the error line")
    t.same(
      logger.at("error"),
      [["ZMQStream send error: Host unreachable (EHOSTUNREACH)"]],
      "one line, no Error",
    )
    server.close()
    client.close()
  },
)
