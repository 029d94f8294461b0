// The socket interface linked on the stream (pyzmq links bind, bind_to_random_port, connect, setsockopt,
// getsockopt …): forwarding, pyzmq's bind_to_random_port, and option names.
import * as zmq from "zeromq"
import { ZMQStream } from "../src/index.js"
import { loopTest, waitFor } from "./helpers/loop.js"

loopTest("bind, connect, disconnect and unbind go to the socket", async (t, { loop, track }) => {
  const server = new ZMQStream(track(new zmq.Pull()), loop)
  const client = new ZMQStream(track(new zmq.Push()), loop)
  await server.bind("tcp://127.0.0.1:*")
  const endpoint = server.socket.lastEndpoint!
  client.connect(endpoint)
  const got: string[] = []
  server.onRecv((msg) => got.push(String(msg[0])))
  client.send("hi")
  await waitFor(() => got.length === 1, "the message")
  client.disconnect(endpoint)
  await server.unbind(endpoint)
  t.same(got, ["hi"])
  server.close()
  client.close(0)
})

loopTest(
  "bindToRandomPort binds a port in [min, max) and fails after tries ports in use",
  async (t, { loop, track }) => {
    const a = new ZMQStream(track(new zmq.Pull()), loop)
    const port = await a.bindToRandomPort("tcp://127.0.0.1", 50000, 60000)
    t.ok(port >= 50000 && port < 60000, `port ${port}`)
    t.equal(a.socket.lastEndpoint, `tcp://127.0.0.1:${port}`)
    const b = new ZMQStream(track(new zmq.Pull()), loop)
    await t.rejects(b.bindToRandomPort("tcp://127.0.0.1", port, port + 1, 3), { message: /after 3 tries/ })
    a.close()
    b.close()
  },
)

loopTest(
  "getsockopt and setsockopt take a zmq number, a libzmq name or a zeromq.js name",
  async (t, { loop, track }) => {
    const stream = new ZMQStream(track(new zmq.Dealer()), loop)
    stream.setsockopt(17, 123)
    t.equal(stream.getsockopt("ZMQ_LINGER"), 123)
    t.equal(stream.getsockopt("linger"), 123)
    t.equal(stream.getsockopt("LINGER"), 123)
    stream.setsockopt("sndhwm", 7)
    t.equal(stream.getsockopt(23), 7)
    t.equal(stream.getsockopt("sendHighWaterMark"), 7)
    stream.setsockopt("ZMQ_IDENTITY", "me")
    t.equal(stream.getsockopt("routingId"), "me")
    t.equal(stream.getsockopt("type"), 5, "ZMQ_DEALER")
    t.equal(stream.getsockopt("rcvtimeo"), 0, "the stream owns the timeouts")
    t.equal(stream.getsockopt("sndtimeo"), 0)
    t.equal(typeof stream.getsockopt("fd"), "number")
    t.equal(stream.getsockopt("rcvmore"), 0)
    t.equal(typeof stream.getsockopt("events"), "number")
    stream.close()
  },
)

loopTest("setsockopt(ZMQ_SUBSCRIBE) subscribes a SUB stream like subscribe()", async (t, { loop, track }) => {
  const pub = track(new zmq.Publisher())
  await pub.bind("tcp://127.0.0.1:*")
  const stream = new ZMQStream(track(new zmq.Subscriber()), loop)
  stream.connect(pub.lastEndpoint!)
  stream.setsockopt("subscribe", "a")
  const got: string[] = []
  stream.onRecv((msg) => got.push(String(msg[0])))
  while (got.length === 0) {
    await pub.send("b")
    await pub.send("a")
    await new Promise<void>((resolve) => loop.addCallback(() => resolve()))
  }
  t.ok(got.every((m) => m === "a"))
  stream.setsockopt("unsubscribe", "a")
  stream.close()
})
