// A stream made while its socket's bind() runs (Python's "bind, then wrap", ported without await): the
// native data path is refused while zeromq.js holds the socket on a worker thread, and attached once the
// bind settles; nothing queued meanwhile is lost. Issue 15 item 2.
import t from "tap"
import * as zmq from "zeromq"
import { ZMQStream } from "../src/index.js"
import { deferred, loopTest, NATIVE_DATA_PATH_HERE, NO_NATIVE_DATA_PATH, waitFor } from "./helpers/loop.js"
import { BUILT_PACKAGE, runNodeScript } from "./helpers/node-child.js"

loopTest(
  "a stream made during bind() takes the native data path once the bind settles, losing nothing",
  async (t, { loop, dataPath, track }) => {
    const push = track(new zmq.Push())
    const binding = push.bind("tcp://127.0.0.1:*")
    const stream = new ZMQStream(push, loop)
    t.equal(stream.dataPath, "zeromq.js", "refused while the bind holds the socket")
    // Queued before the bind settles: they go out on whichever path the stream has by then.
    for (let i = 0; i < 50; i++) stream.send(String(i))
    await binding
    const expected = NATIVE_DATA_PATH_HERE ? dataPath : "zeromq.js"
    await waitFor(() => stream.dataPath === expected, `the ${expected} data path`)
    for (let i = 50; i < 100; i++) stream.send(String(i))
    const pull = track(new zmq.Pull())
    pull.connect(push.lastEndpoint!)
    const got: string[] = []
    for (let i = 0; i < 100; i++) got.push(String((await pull.receive())[0]))
    t.same(
      got,
      Array.from({ length: 100 }, (_, i) => String(i)),
      "every message once, in order",
    )
    stream.close()
  },
)

loopTest(
  "a PULL stream made during bind() receives on the native data path after it settles",
  async (t, { loop, dataPath, track }) => {
    const pull = track(new zmq.Pull())
    const binding = pull.bind("tcp://127.0.0.1:*")
    const stream = new ZMQStream(pull, loop)
    const got: string[] = []
    const all = deferred()
    stream.onRecv((msg) => {
      got.push(msg[0]!.toString())
      if (got.length === 100) all.resolve()
    })
    await binding
    const expected = NATIVE_DATA_PATH_HERE ? dataPath : "zeromq.js"
    await waitFor(() => stream.dataPath === expected, `the ${expected} data path`)
    const push = track(new zmq.Push())
    push.connect(pull.lastEndpoint!)
    for (let i = 0; i < 100; i++) await push.send(String(i))
    await all.wait("100 messages")
    t.same(
      got,
      Array.from({ length: 100 }, (_, i) => String(i)),
    )
    stream.close()
  },
)

t.test(
  "NODE_DEBUG=zmq-eventloop says when a stream attached late",
  { skip: NO_NATIVE_DATA_PATH },
  async (t) => {
    const script = `
    import * as zmq from "zeromq"
    import { IOLoop } from "@zmq-eventloop/ioloop"
    import { ZMQStream } from ${BUILT_PACKAGE}
    const loop = new IOLoop({ makeCurrent: false })
    const pull = new zmq.Pull()
    const binding = pull.bind("tcp://127.0.0.1:*")
    const stream = new ZMQStream(pull, loop)
    const running = loop.start()
    await binding
    while (stream.dataPath !== "native") await new Promise((resolve) => setTimeout(resolve, 1))
    console.log(stream.dataPath)
    stream.close(); loop.stop(); await running; loop.close()
  `
    const run = runNodeScript(script, { NODE_DEBUG: "zmq-eventloop", ZMQ_EVENTLOOP_NATIVE: "" })
    t.equal(run.status, 0, run.stderr)
    t.equal(run.stdout.trim(), "native")
    t.match(
      run.stderr,
      /zeromq\.js data path for a Pull socket \(.*bind.*\); the native one is tried again when that settles/,
    )
    t.match(run.stderr, /native data path for a Pull socket \(attached once its bind\/unbind settled\)/)
  },
)
