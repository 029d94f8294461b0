// A socket's handler removed and added again, as a poll loop does on every poll (pyzmq's future Poller
// registers its sockets per poll; ours goes through the loop's addHandler/removeHandler). The fd poller
// keeps a removed socket's watcher until Node's next check phase to reuse it: that may neither change what
// a handler gets nor outlive the turn. (That the loop, which asks zeromq.js whether a bind holds a socket
// only until it has seen it free, reads nothing while a later bind runs: test/bind-before-register.ts.)
import { readdirSync } from "node:fs"
import t, { type Test } from "tap"
import * as zmq from "zeromq"
import { READ } from "../src/index.js"
import { forEachPoller, newLoop, runUntilStopped } from "./helpers/loop.js"

const openFds = () => readdirSync("/proc/self/fd")
const nextCheckPhase = () => new Promise((resolve) => setImmediate(resolve))

/** A bound PAIR and its connected peer, closed when the test ends. */
async function pair(t: Test, name: string): Promise<[zmq.Pair, zmq.Pair]> {
  const [a, b] = [new zmq.Pair({ linger: 0 }), new zmq.Pair({ linger: 0 })]
  t.teardown(() => {
    a.close()
    b.close()
  })
  await a.bind(`inproc://handler-churn-${name}`)
  b.connect(`inproc://handler-churn-${name}`)
  return [a, b]
}

t.test(
  "a handler removed and added again in one turn gets the socket's events, the removed one none",
  async (t) => {
    forEachPoller(t, async (t, poller) => {
      const loop = newLoop(t, { poller })
      const [a, b] = await pair(t, `again-${poller}`)
      const calls: string[] = []
      const handler = (name: string) => async () => {
        calls.push(`${name} got ${String((await a.receive())[0])}`)
        if (name === "second") return loop.stop()
        // After a check phase the watcher kept for reuse is gone: the next handler needs a new one.
        loop.removeHandler(a)
        await nextCheckPhase()
        loop.addHandler(a, handler("second"), READ)
        await b.send("two")
      }
      loop.addHandler(a, handler("removed"), READ)
      loop.removeHandler(a)
      loop.addHandler(a, handler("first"), READ)
      loop.addCallback(() => b.send("one"))
      await runUntilStopped(loop, 10_000)
      t.same(calls, ["first got one", "second got two"])
    })
  },
)

t.test(
  "the watcher kept for a removed handler is closed at the next check phase, closed socket or not",
  { skip: process.platform !== "linux" && "reads /proc/self/fd" },
  async (t) => {
    const loop = newLoop(t, { poller: "fd" })
    const [a, b] = await pair(t, "kept")
    // The fd the loop opens to watch `socket`: its dup of ZMQ_FD, the one new fd (addHandler is synchronous,
    // and the only fds other threads touch meanwhile are libzmq's reaper closing earlier sockets' ones).
    const watchedThrough = (socket: zmq.Pair): string => {
      const before = new Set(openFds())
      loop.addHandler(socket, () => {}, READ)
      const opened = openFds().filter((fd) => !before.has(fd))
      t.equal(opened.length, 1, "the fd poller watches a dup of the socket's ZMQ_FD")
      return opened[0]!
    }

    const dup = watchedThrough(a)
    loop.removeHandler(a)
    t.ok(openFds().includes(dup), "kept for this turn")
    await nextCheckPhase()
    t.notOk(openFds().includes(dup), "closed once the turn is over")

    const closedSocketDup = watchedThrough(b)
    loop.removeHandler(b)
    b.close()
    await nextCheckPhase()
    t.notOk(openFds().includes(closedSocketDup), "also when the socket was closed meanwhile")
  },
)
