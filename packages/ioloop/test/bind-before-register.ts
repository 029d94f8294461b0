// A bind() started before its socket was registered: zeromq.js runs it on a worker thread and libzmq
// sockets are not thread-safe, so the loop must not read the socket's ZMQ_EVENTS until it settles, though
// no wrapped bind() told it so (the port of Python's "bind, then wrap": bstar, the Majordomo broker).
import t from "tap"
import * as zmq from "zeromq"
import { READ } from "../src/index.js"
import { forEachPoller, newLoop, runUntilStopped } from "./helpers/loop.js"

const ZMQ_EVENTS = 15

t.test("the loop reads nothing of a socket registered while an earlier bind() is pending", async (t) => {
  forEachPoller(t, async (t, poller) => {
    const loop = newLoop(t, { poller })
    const pull = new zmq.Pull({ linger: 0 })
    const push = new zmq.Push({ linger: 0 })
    t.teardown(() => {
      pull.close()
      push.close()
    })
    let binding = true
    let readsWhileBinding = 0
    const proto = zmq.Pull.prototype as unknown as { getInt32Option(id: number): number }
    const own = Object.getOwnPropertyDescriptor(proto, "getInt32Option")
    const inherited = proto.getInt32Option
    Object.defineProperty(proto, "getInt32Option", {
      configurable: true,
      writable: true,
      value: function counted(this: unknown, id: number) {
        if (this === pull && id === ZMQ_EVENTS && binding) readsWhileBinding++
        return inherited.call(this, id)
      },
    })
    t.teardown(() => {
      if (own === undefined) delete (proto as { getInt32Option?: unknown }).getInt32Option
      else Object.defineProperty(proto, "getInt32Option", own)
    })
    const bound = pull.bind("tcp://127.0.0.1:*") // not awaited: registered while zeromq.js binds
    const received: string[] = []
    loop.addHandler(
      pull,
      async (socket) => {
        received.push(String((await socket.receive())[0]))
        loop.stop()
      },
      READ,
    )
    loop.addCallback(async () => {
      await bound
      binding = false
      push.connect(pull.lastEndpoint!)
      await push.send("after the bind")
    })
    await runUntilStopped(loop, 10_000)
    t.equal(readsWhileBinding, 0, "no ZMQ_EVENTS read while the bind ran on zeromq.js's worker thread")
    t.same(received, ["after the bind"], "the handler runs once the bind settled")
  })
})
