// The native fd set (native/fd_set.c), on real FIFOs: wait() and check() report a member as zmq_poll reports
// a plain fd (pyzmq's zmq.Poller), readiness as an FdWatcher's onEvent reports it (each such case compares
// them), and an error or hang-up as FD_ERROR beside it, where libuv hands a lone hang-up to the interest.
import t, { type Test } from "tap"
import * as fs from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as zmq from "zeromq"
import { ZMQ_FD } from "../src/constants.js"
import { FD_ERROR, loadFdSet } from "../src/native/fd-set.js"
import type { FdWatcherConstructor } from "../src/native/fd-watcher.js"
import { loadFdWatcher, UV_READABLE, UV_WRITABLE } from "../src/native/fd-watcher.js"
import { within } from "./helpers/deadline.js"
import { makeFifo } from "./helpers/fifo.js"

const loadedSet = loadFdSet()
const loadedWatcher = loadFdWatcher()
if (loadedSet instanceof Error) throw new Error(`no fd set: ${loadedSet.message}`)
if (loadedWatcher instanceof Error) throw new Error(`no native addon: ${loadedWatcher.message}`)
const fdSet = loadedSet
const Watcher: FdWatcherConstructor = loadedWatcher

/** A new set, closed when the test ends. */
function newSet(t: Test): number {
  const set = fdSet.create()
  t.teardown(() => fdSet.close(set))
  return set
}

/** The set's ready members now, as [token, result] pairs. */
function readyIn(set: number, room = 16): Array<[number, number]> {
  const ready = new Int32Array(2 * room)
  const count = fdSet.wait(set, ready)
  return Array.from({ length: count }, (_, i) => [ready[2 * i]!, ready[2 * i + 1]!])
}

/** What a watcher on `fd` reports at its first wake-up for `events` (its status when negative). */
function watcherReport(fd: number, events: number): Promise<number> {
  const report = new Promise<number>((resolve) => {
    const watcher = new Watcher(fd, true, (status, ready) => {
      watcher.close()
      resolve(status < 0 ? status : ready)
    })
    watcher.start(events)
  })
  return within(report, 5000, "the watcher's onEvent")
}

t.test("a member is reported as a watcher reports its fd: writable, readable", async (t) => {
  const set = newSet(t)
  const { readFd, writeFd } = makeFifo(t, { closesEnds: true })
  fdSet.add(set, writeFd, UV_WRITABLE, 1)
  fdSet.add(set, readFd, UV_READABLE, 2)
  t.same(readyIn(set), [[1, UV_WRITABLE]], "an empty FIFO's write end is writable, its read end not readable")
  t.equal(fdSet.check(writeFd, UV_WRITABLE), UV_WRITABLE, "check() agrees")
  t.equal(fdSet.check(readFd, UV_READABLE), 0, "nothing to read: 0, at once")
  t.equal(await watcherReport(writeFd, UV_WRITABLE), UV_WRITABLE, "a watcher agrees")

  fs.writeSync(writeFd, "x")
  t.same(
    readyIn(set).sort(),
    [
      [1, UV_WRITABLE],
      [2, UV_READABLE],
    ],
    "level-triggered: both, and again",
  )
  t.same(readyIn(set).sort(), [
    [1, UV_WRITABLE],
    [2, UV_READABLE],
  ])
  t.equal(fdSet.check(readFd, UV_READABLE | UV_WRITABLE), UV_READABLE, "check(): only what is ready")
  t.equal(await watcherReport(readFd, UV_READABLE), UV_READABLE, "a watcher agrees")

  fdSet.modify(set, writeFd, UV_READABLE, 3)
  t.same(readyIn(set), [[2, UV_READABLE]], "modify() changes the interest: a write end is never readable")
  fdSet.remove(set, readFd)
  t.same(readyIn(set), [], "removed: no longer reported")
  t.doesNotThrow(() => fdSet.remove(set, writeFd))
})

t.test("an error or a hang-up is FD_ERROR beside the readiness, as zmq_poll's POLLERR", async (t) => {
  // pyzmq 24's zmq.Poller on the same FIFOs (libzmq 4.3.4): POLLERR; POLLIN | POLLERR; POLLOUT | POLLERR
  const set = newSet(t)
  const withData = makeFifo(t, { closesEnds: true })
  fdSet.add(set, withData.readFd, UV_READABLE, 1)
  fs.writeSync(withData.writeFd, "x")
  fs.closeSync(withData.writeFd)
  t.same(readyIn(set), [[1, UV_READABLE | FD_ERROR]], "a read end with data left, its writer gone")
  t.equal(fdSet.check(withData.readFd, UV_READABLE), UV_READABLE | FD_ERROR, "check() agrees")
  fs.readSync(withData.readFd, Buffer.alloc(4))
  t.same(readyIn(set), [[1, FD_ERROR]], "nothing left to read: in error only (libuv: readable)")
  fdSet.modify(set, withData.readFd, UV_WRITABLE, 1)
  t.same(readyIn(set), [[1, FD_ERROR]], "watched for writing only: in error, never writable")
  t.equal(fdSet.check(withData.readFd, UV_READABLE | UV_WRITABLE), FD_ERROR, "check() agrees")

  const noReader = makeFifo(t, { closesEnds: true })
  fdSet.add(set, noReader.writeFd, UV_WRITABLE, 2)
  fs.closeSync(noReader.readFd)
  t.same(
    readyIn(set).filter(([token]) => token === 2),
    [[2, UV_WRITABLE | FD_ERROR]],
    "a write end whose reader is gone: writable and in error (libuv: only the error)",
  )

  fdSet.remove(set, noReader.writeFd)
  fs.closeSync(noReader.writeFd)
  fdSet.remove(set, withData.readFd)
  fs.closeSync(withData.readFd)
  t.equal(fdSet.check(withData.readFd, UV_READABLE), FD_ERROR, "check() on a closed fd: in error (POLLNVAL)")
  t.doesNotThrow(
    () => fdSet.remove(set, withData.readFd),
    "removing a closed fd is a no-op: closing took it out",
  )
})

t.test("a socket's ZMQ_FD, which zeromq.js polls on Node's own loop, is a member as it is", async (t) => {
  const set = newSet(t)
  const [pull, push] = [new zmq.Pull({ linger: 0 }), new zmq.Push({ linger: 0 })]
  t.teardown(() => {
    pull.close()
    push.close()
  })
  await pull.bind("inproc://fd-set")
  push.connect("inproc://fd-set")
  const zmqFd = (pull as unknown as { getInt32Option(option: number): number }).getInt32Option(ZMQ_FD)
  fdSet.add(set, zmqFd, UV_READABLE, 7)
  await push.send("x")
  // The ZMQ_FD signals that the socket's state may have changed; reading ZMQ_EVENTS (`readable`) resets it.
  const deadline = Date.now() + 5000
  while (readyIn(set).length === 0 && Date.now() < deadline) await new Promise(setImmediate)
  t.same(readyIn(set), [[7, UV_READABLE]], "the message signals the member")
  t.equal(pull.readable, true)
  t.same(readyIn(set), [], "ZMQ_EVENTS read: the signal is consumed, as on the watcher's own fd")
  t.equal(String((await pull.receive())[0]), "x", "zeromq.js still receives on it")
})

t.test("more ready members than a wait() has room for stay ready for the next", async (t) => {
  const set = newSet(t)
  const fifos = Array.from({ length: 5 }, () => makeFifo(t))
  fifos.forEach(({ writeFd }, token) => fdSet.add(set, writeFd, UV_WRITABLE, token))
  const first = readyIn(set, 3)
  t.equal(first.length, 3, "as many as there is room for")
  const all = new Set([...first, ...readyIn(set, 8)].map(([token]) => token))
  t.same([...all].sort(), [0, 1, 2, 3, 4], "every member, across calls")
})

t.test("refusals: an fd epoll cannot watch, twice the same fd, bad arguments", async (t) => {
  const set = newSet(t)
  const dir = fs.mkdtempSync(join(tmpdir(), "zmq-eventloop-fd-set-"))
  t.teardown(() => fs.rmSync(dir, { recursive: true }))
  const file = fs.openSync(join(dir, "file"), "w")
  t.teardown(() => fs.closeSync(file))
  t.throws(() => fdSet.add(set, file, UV_READABLE, 1), { code: "EPERM", syscall: "epoll_ctl" })
  const { readFd } = makeFifo(t)
  fdSet.add(set, readFd, UV_READABLE, 1)
  t.throws(() => fdSet.add(set, readFd, UV_READABLE, 2), { code: "EEXIST", syscall: "epoll_ctl" })
  t.throws(() => fdSet.add(set, -1, UV_READABLE, 1), {
    name: "TypeError",
    message: "fd must be a non-negative integer (got -1)",
  })
  t.throws(() => fdSet.add(set, readFd, 4, 1), {
    name: "RangeError",
    message: /^events must be a mask .* \(got 4\)$/,
  })
  t.throws(() => fdSet.modify(set, readFd, UV_READABLE, 1.5), {
    name: "TypeError",
    message: /^token .*\(got 1.5\)$/,
  })
  t.throws(() => fdSet.check(readFd, "1" as never), { name: "RangeError", message: /\(got string\)$/ })
  t.throws(() => fdSet.wait(set, new Uint32Array(4) as never), {
    name: "TypeError",
    message: "ready must be an Int32Array of at least 2 elements (got object)",
  })
  t.throws(
    () => fdSet.wait(readFd, new Int32Array(4)),
    { code: "EINVAL", syscall: "epoll_wait" },
    "not a set",
  )
})
