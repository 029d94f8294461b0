// A bind() started before its socket was registered: zeromq.js runs it on a worker thread and libzmq
// sockets are not thread-safe, so the loop must not read the socket's ZMQ_EVENTS until it settles, though
// no wrapped bind() told it so (the port of Python's "bind, then wrap": bstar, the Majordomo broker).
import t from "tap"
import * as zmq from "zeromq"
import { READ } from "../src/index.js"
import { onZmqEventsRead } from "./helpers/events-reads.js"
import { forEachPoller, newLoop, runUntilStopped } from "./helpers/loop.js"

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
    onZmqEventsRead(t, [zmq.Pull], (socket) => {
      if (socket === pull && binding) readsWhileBinding++
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
