// A socket's handler removed and added again, as a poll loop does on every poll (pyzmq's future Poller
// registers its sockets per poll; ours goes through the loop's addHandler/removeHandler): the new handler
// gets the socket's events, the removed one none. And what the fd poller costs in fds: one per loop. (That the loop, which asks zeromq.js whether a bind holds a socket
// only until it has seen it free, reads nothing while a later bind runs: test/bind-before-register.ts.)
import { closeSync, readdirSync, readFileSync, readlinkSync } from "node:fs"
import t, { type Test } from "tap"
import * as zmq from "zeromq"
import { ZMQ_FD } from "../src/constants.js"
import { READ, WRITE, type IOLoop } from "../src/index.js"
import { makeFifo } from "./helpers/fifo.js"
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
 * The fds other than `socket`'s ZMQ_FD that refer to its eventfd (a dup, as the fd poller once made). Found by identity, not
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

/** A new PULL whose ZMQ_FD is `fd` (a new fd takes the lowest free number), bound, with a PUSH connected. */
async function pullTakingFd(
  t: Test,
  fd: number,
  name: string,
): Promise<{ pull: zmq.Pull; push: zmq.Push } | undefined> {
  const made: zmq.Pull[] = []
  t.teardown(() => made.forEach((socket) => socket.close()))
  let pull: zmq.Pull | undefined
  while (pull === undefined && made.length < 64) {
    const socket = new zmq.Pull({ linger: 0 })
    made.push(socket)
    if (zmqFdOf(socket) === fd) pull = socket
  }
  if (pull === undefined) {
    t.fail(`no new socket took fd ${fd}`)
    return undefined
  }
  await pull.bind(`inproc://handler-churn-${name}`)
  const push = new zmq.Push({ linger: 0 })
  t.teardown(() => push.close())
  push.connect(`inproc://handler-churn-${name}`)
  return { pull, push }
}

/**
 * Registers `pull`, calls `meanwhile`, and runs `loop` until the handler got a message sent once the loop
 * waits on its poller (two check phases after its first iteration), so that only the poller can tell the
 * loop of it. Resolves to what the handler received.
 */
async function receivedThroughPoller(
  loop: IOLoop,
  { pull, push }: { pull: zmq.Pull; push: zmq.Push },
  meanwhile: () => void,
): Promise<string[]> {
  const got: string[] = []
  loop.addHandler(
    pull,
    async () => {
      got.push(String((await pull.receive())[0]))
      loop.stop()
    },
    READ,
  )
  meanwhile()
  loop.addCallback(() => setImmediate(() => setImmediate(() => void push.send("through the poller"))))
  await runUntilStopped(loop, 10_000)
  return got
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
  "the fd poller opens no fd per socket: its loop's one epoll set holds each socket's ZMQ_FD itself",
  {
    skip:
      !kernelNamesEventfds() &&
      "finding copies of a ZMQ_FD needs /proc/self/fdinfo's eventfd-id (Linux ≥ 5.19)",
  },
  async (t) => {
    const epollSets = () =>
      readdirSync("/proc/self/fd").filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === "anon_inode:[eventpoll]"
        } catch {
          return false // the listing's own fd, closed by now
        }
      }).length
    const before = epollSets()
    const loop = newLoop(t, { poller: "fd" })
    t.equal(epollSets(), before + 1, "the loop made one epoll set")
    const sockets = await Promise.all(Array.from({ length: 20 }, (_, i) => pair(t, `set-${i}`)))
    for (const [a, b] of sockets) {
      loop.addHandler(a, () => {}, READ)
      loop.addHandler(b, () => {}, READ)
    }
    t.ok(
      sockets.every(([a, b]) => dupsOf(a).length === 0 && dupsOf(b).length === 0),
      "no copy of any socket's ZMQ_FD",
    )
    t.equal(epollSets(), before + 1, "and no other epoll set")
    loop.close()
    t.equal(epollSets(), before, "closing the loop closes its set")
  },
)

t.test(
  "a socket closed while registered, its fd number then reused by the next socket: the next one's handler runs",
  {
    skip:
      !kernelNamesEventfds() &&
      "telling a reused fd number apart needs /proc/self/fdinfo's eventfd-id (Linux ≥ 5.19)",
  },
  async (t) => {
    forEachPoller(t, async (t, poller) => {
      const loop = newLoop(t, { poller })
      const closed = new zmq.Pull({ linger: 0 })
      const number = zmqFdOf(closed)
      const oldId = eventfdId(number)
      loop.addHandler(closed, () => {}, READ)
      closed.close()
      // libzmq's reaper closes the socket's eventfd on its own thread: wait for the number to be free.
      const deadline = Date.now() + 5000
      while (eventfdId(number) === oldId && Date.now() < deadline) await nextCheckPhase()
      const next = await pullTakingFd(t, number, `reused-${poller}`)
      if (next === undefined) return
      // After the new socket took its number, the closed one's removal must not take that one out.
      const got = await receivedThroughPoller(loop, next, () => loop.removeHandler(closed))
      t.same(got, ["through the poller"])
    })
  },
)

t.test(
  "a plain fd closed while registered, its number then a socket's ZMQ_FD: removing the fd's handler leaves the socket's",
  async (t) => {
    const loop = newLoop(t, { poller: "fd" })
    const { readFd, writeFd } = makeFifo(t, { closesEnds: true })
    loop.addHandler(readFd, () => {}, READ)
    closeSync(readFd) // wrong, but it happens: the handler is still registered
    closeSync(writeFd)
    const socket = await pullTakingFd(t, readFd, "plain-reused")
    if (socket === undefined) return
    const got = await receivedThroughPoller(loop, socket, () => {
      loop.updateHandler(readFd, READ | WRITE) // neither this change nor the removal may reach the socket
      loop.removeHandler(readFd)
    })
    t.same(got, ["through the poller"])
  },
)

t.test(
  "a socket's ZMQ_FD given as a plain fd to the loop that watches the socket is refused, saying why",
  async (t) => {
    const loop = newLoop(t, { poller: "fd" })
    const [a] = await pair(t, "twice")
    loop.addHandler(a, () => {}, READ)
    t.throws(() => loop.addHandler(zmqFdOf(a), () => {}, READ), {
      name: "TypeError",
      message: `target: fd ${zmqFdOf(a)} is already watched by this loop as the ZMQ_FD of a socket registered with it: watch the socket, not its fd`,
    })
    loop.removeHandler(a)
    const fd = zmqFdOf(a)
    loop.addHandler(fd, () => {}, READ)
    t.throws(() => loop.addHandler(a, () => {}, READ), {
      name: "TypeError",
      message: `target: the socket's ZMQ_FD (fd ${fd}) is already registered with this loop as a plain fd: remove that handler first`,
    })
    loop.removeHandler(fd)
  },
)
