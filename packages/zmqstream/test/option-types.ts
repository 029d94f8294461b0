// setsockopt/getsockopt are typed by option name where the option table knows it, and ZMQStream keeps its
// socket's class: what that class cannot do does not compile. These lines are checked by
// `tsc -p tsconfig.json` (pnpm lint), each `@ts-expect-error` failing it when the line below compiles; the
// run checks that JavaScript, which no type stops, gets the TypeError.
import * as zmq from "zeromq"
import t from "tap"
import { IOLoop } from "@zmq-eventloop/ioloop"
import { ZMQStream } from "../src/index.js"

t.test("typed options and a stream that keeps its socket's class", async (t) => {
  const loop = new IOLoop({ makeCurrent: false })
  const stream = new ZMQStream(new zmq.Router({ routingId: "me" }), loop)
  t.teardown(() => {
    stream.close(0)
    loop.close()
  })
  stream.setsockopt("ZMQ_LINGER", 0)
  stream.setsockopt("mandatory", 1)
  stream.setsockopt("ROUTING_ID", "again")
  const linger: number = stream.getsockopt("linger")
  const id: string | null = stream.getsockopt("ZMQ_ROUTING_ID")
  const routingId: string | null = stream.socket.routingId // a Router, no cast
  // @ts-expect-error a string is not a LINGER value
  t.throws(() => stream.setsockopt("ZMQ_LINGER", "0"), TypeError)
  t.equal(linger, 0)
  t.equal(id, "again")
  t.equal(routingId, "again")
})

t.test("a misspelt option name does not compile, and throws for JavaScript", async (t) => {
  const loop = new IOLoop({ makeCurrent: false })
  const stream = new ZMQStream(new zmq.Dealer(), loop)
  t.teardown(() => {
    stream.close(0)
    loop.close()
  })
  // @ts-expect-error not an option name: sendHighWaterMark
  t.throws(() => stream.setsockopt("sendHighWaterMarkk", 1), {
    name: "TypeError",
    message: /^option must be/,
  })
  // @ts-expect-error not an option name: ZMQ_LINGER
  t.throws(() => stream.getsockopt("ZMQ_LINGERR"), { name: "TypeError", message: /^option must be/ })
  stream.setsockopt("IDENTITY", "pyzmq's old name") // ZMQ_ROUTING_ID
  const dynamic: string = "SNDHWM" // a name known only at run time is checked then
  stream.setsockopt(dynamic, 10)
  t.equal(stream.getsockopt("ZMQ_SNDHWM"), 10)
  t.equal(stream.getsockopt("ROUTING_ID"), "pyzmq's old name")
})

t.test("onRecv and subscribe do not compile on a PUB stream, and throw for JavaScript", async (t) => {
  const loop = new IOLoop({ makeCurrent: false })
  const publisher = new ZMQStream(new zmq.Publisher(), loop)
  const dealer = new ZMQStream(new zmq.Dealer(), loop)
  t.teardown(() => {
    publisher.close(0)
    dealer.close(0)
    loop.close()
  })
  const cannotReceive = { name: "TypeError", message: "callback: a Publisher socket cannot receive" }
  // @ts-expect-error a Publisher cannot receive
  t.throws(() => publisher.onRecv(() => {}), cannotReceive)
  // @ts-expect-error a Publisher cannot receive
  t.throws(() => publisher.onRecvStream(() => {}), cannotReceive)
  const noSubscribe = { name: "TypeError", message: "subscribe: a Publisher socket has no subscribe()" }
  // @ts-expect-error only a Subscriber subscribes
  t.throws(() => publisher.subscribe(), noSubscribe)
  // @ts-expect-error only a Subscriber subscribes
  t.throws(() => publisher.subscribe("topic"), noSubscribe)
  // @ts-expect-error only a Subscriber unsubscribes
  t.throws(() => publisher.unsubscribe("topic"), { name: "TypeError", message: /has no unsubscribe\(\)$/ })
  // @ts-expect-error a Dealer has no subscribe either
  t.throws(() => dealer.subscribe("topic"), { name: "TypeError", message: /Dealer socket has no subscribe/ })

  // Where the class is not known (a plain `ZMQStream`), the calls compile and the run time decides.
  const unknownClass: ZMQStream = publisher
  t.throws(() => unknownClass.onRecv(() => {}), cannotReceive)
  t.throws(() => unknownClass.subscribe("topic"), noSubscribe)
})

t.test("onRecv and subscribe compile where the class has them, also detached", async (t) => {
  const loop = new IOLoop({ makeCurrent: false })
  const subscriber = new ZMQStream(new zmq.Subscriber(), loop)
  const xpub = new ZMQStream(new zmq.XPublisher(), loop) // receives subscriptions
  t.teardown(() => {
    subscriber.close(0)
    xpub.close(0)
    loop.close()
  })
  subscriber.subscribe("a", Buffer.from("b"))
  subscriber.unsubscribe("a")
  const onRecv = subscriber.onRecv
  onRecv((msg) => msg.length)
  xpub.onRecvStream((stream, msg) => stream.socket.noDrop || msg.length)
  // `copy` known only at run time: the callback takes Buffer[] | Frame[] (onRecvStream had no such overload).
  const copy: boolean = Math.random() < 2
  subscriber.onRecv((msg) => msg.length, { copy })
  subscriber.onRecvStream((stream, msg) => stream.closed() || msg.length, { copy })
  t.pass("compiled")
})
