// setsockopt/getsockopt are typed by option name where the option table knows it, and ZMQStream keeps its
// socket's class. These lines are checked by `tsc -p tsconfig.json` (pnpm lint); the run checks the values.
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
