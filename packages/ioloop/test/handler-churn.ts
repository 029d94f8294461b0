// A socket's handler removed and added again, as a poll loop does on every poll (pyzmq's future Poller
// registers its sockets per poll; ours goes through the loop's addHandler/removeHandler). The fd poller
// keeps a removed socket's watcher until Node's next check phase to reuse it: that may neither change what
// a handler gets nor outlive the turn. (That the loop, which asks zeromq.js whether a bind holds a socket
// only until it has seen it free, reads nothing while a later bind runs: test/bind-before-register.ts.)
import { readdirSync, readFileSync } from "node:fs"
import t, { type Test } from "tap"
import * as zmq from "zeromq"
import { ZMQ_FD } from "../src/constants.js"
import { READ } from "../src/index.js"
import { forEachPoller, newLoop, runUntilStopped } from "./helpers/loop.js"

/**
 * The id of the eventfd that `fd` refers to (Linux ≥ 5.19 prints it in fdinfo; a dup has its original's),
 * or `undefined` when `fd` is closed or no eventfd.
 */
function eventfdId(fd: number): string | undefined {
  try {
    return /^eventfd-id:\s*(\d+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, "utf8"))?.[1]
  } catch {
    return undefined
  }
}
const zmqFdOf = (socket: zmq.Socket) =>
  (socket as unknown as { getInt32Option(option: number): number }).getInt32Option(ZMQ_FD)
/**
 * The fds other than `socket`'s ZMQ_FD that refer to its eventfd: the loop's dups. Found by identity, not
 * by counting fds: other threads open and close fds meanwhile (libzmq's reaper, Node's own), and the
 * listing's own fd takes a number that was free before.
 */
function dupsOf(socket: zmq.Socket): number[] {
  const zmqFd = zmqFdOf(socket)
  const id = eventfdId(zmqFd)
  return readdirSync("/proc/self/fd")
    .map(Number)
    .filter((fd) => fd !== zmqFd && eventfdId(fd) === id)
}
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

/** Whether this kernel names each eventfd in fdinfo (Linux ≥ 5.19), which finding the dups relies on. */
function kernelNamesEventfds(): boolean {
  if (process.platform !== "linux") return false
  const probe = new zmq.Pair()
  try {
    return eventfdId(zmqFdOf(probe)) !== undefined
  } finally {
    probe.close()
  }
}

t.test(
  "the watcher kept for a removed handler is closed at the next check phase, closed socket or not",
  {
    skip:
      !kernelNamesEventfds() && "finding the loop's dup needs /proc/self/fdinfo's eventfd-id (Linux ≥ 5.19)",
  },
  async (t) => {
    const loop = newLoop(t, { poller: "fd" })
    const [a, b] = await pair(t, "kept")
    const watchedThrough = (socket: zmq.Pair): number => {
      t.same(dupsOf(socket), [], "no dup before")
      loop.addHandler(socket, () => {}, READ)
      const dups = dupsOf(socket)
      t.equal(dups.length, 1, "the fd poller watches a dup of the socket's ZMQ_FD")
      return dups[0]!
    }

    const dup = watchedThrough(a)
    loop.removeHandler(a)
    t.same(dupsOf(a), [dup], "kept for this turn")
    await nextCheckPhase()
    t.same(dupsOf(a), [], "closed once the turn is over")

    const idOfB = eventfdId(zmqFdOf(b))
    const closedSocketDup = watchedThrough(b)
    loop.removeHandler(b)
    b.close()
    await nextCheckPhase()
    t.not(eventfdId(closedSocketDup), idOfB, "also when the socket was closed meanwhile")
  },
)
