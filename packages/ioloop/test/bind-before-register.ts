// A bind() started before its socket was registered: zeromq.js runs it on a worker thread and libzmq
// sockets are not thread-safe, so the loop must not read the socket's ZMQ_EVENTS until it settles, though
// no wrapped bind() told it so (the port of Python's "bind, then wrap": bstar, the Majordomo broker).
import t, { type Test } from "tap"
import * as zmq from "zeromq"
import { READ } from "../src/index.js"
import { onZmqEventsRead } from "./helpers/events-reads.js"
import { forEachPoller, newLoop, runUntilStopped, type PollerChoice } from "./helpers/loop.js"

/**
 * Registers a PULL while a bind() of it is pending, and checks that the loop reads nothing of it until the
 * bind settled and that its handler then runs. `registeredBefore`: the socket was registered (and removed)
 * once before, while free, so the loop counts its binds instead of asking zeromq.js (test/handler-churn.ts).
 */
async function registerWhileBinding(t: Test, poller: PollerChoice, registeredBefore: boolean): Promise<void> {
  const loop = newLoop(t, { poller })
  const pull = new zmq.Pull({ linger: 0 })
  const push = new zmq.Push({ linger: 0 })
  t.teardown(() => {
    pull.close()
    push.close()
  })
  if (registeredBefore) {
    loop.addHandler(pull, () => {}, READ)
    loop.removeHandler(pull)
  }
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
}

t.test("the loop reads nothing of a socket registered while an earlier bind() is pending", async (t) => {
  forEachPoller(t, (t, poller) => registerWhileBinding(t, poller, false))
})

t.test("nor of one registered again while a bind() runs, after it was registered once free", async (t) => {
  forEachPoller(t, (t, poller) => registerWhileBinding(t, poller, true))
})
