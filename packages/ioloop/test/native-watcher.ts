// The native fd watcher (native/fd_watcher.c) against real fds: FIFOs, zeromq sockets' ZMQ_FD,
// and child processes for what only shows at process exit. It runs on the addon the IOLoop loads (the
// committed prebuild; test/native-addon.ts checks that it matches the sources).
import t, { type Test } from "tap"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as zmq from "zeromq"
import { loadAddon } from "../src/native/loader.js"
import {
  loadFdWatcher,
  UV_READABLE,
  UV_WRITABLE,
  type FdWatcher,
  type FdWatcherConstructor,
} from "../src/native/fd-watcher.js"
import { makeFifo } from "./helpers/fifo.js"
import { CHILD_NODE } from "./helpers/child-node.js"

const ZMQ_FD = 14
const DEADLINE_MS = 5000
/** A child `node` alone can take seconds to start on a loaded machine (2-4 s seen with eight suites on 2 cores). */
const CHILD_DEADLINE_MS = 30_000
const addon = loadAddon()
if (addon instanceof Error) throw new Error(`no native addon: ${addon.message}`)
const addonPath = addon.path
const loaded = loadFdWatcher()
const Watcher = loaded as FdWatcherConstructor

/** Resolve with `promise`, or reject once `ms` have passed: a deadline, not a sleep. */
async function withDeadline<T>(promise: Promise<T>, what: string, ms = DEADLINE_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([promise, deadline])
  } finally {
    clearTimeout(timer)
  }
}

/** One full turn of the event loop, poll phase included. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

/** A connected PUSH → PULL pair over tcp://127.0.0.1:*, closed when the test ends. */
async function makePushPull(t: Test): Promise<{ push: zmq.Push; pull: zmq.Pull; zmqFd: number }> {
  const pull = new zmq.Pull()
  const push = new zmq.Push()
  t.teardown(() => {
    push.close()
    pull.close()
  })
  await pull.bind("tcp://127.0.0.1:*")
  push.connect(pull.lastEndpoint!)
  const zmqFd = (pull as unknown as { getInt32Option(option: number): number }).getInt32Option(ZMQ_FD)
  return { push, pull, zmqFd }
}

/** A watcher closed when the test ends (close() is idempotent). */
function watch(t: Test, fd: number, duplicate: boolean, onEvent: (status: number, events: number) => void) {
  const watcher = new Watcher(fd, duplicate, onEvent)
  t.teardown(() => watcher.close())
  return watcher
}

/** Run `node -e code` with the addon's path in ADDON; resolves on exit, rejects past the deadline. */
function runNode(
  code: string,
  options: { input?: (child: ReturnType<typeof spawn>) => void; args?: string[] } = {},
) {
  const child = spawn(CHILD_NODE, [...(options.args ?? []), "-e", code], {
    env: { ...process.env, ADDON: addonPath },
    stdio: ["pipe", "pipe", "pipe"],
  })
  let stdout = ""
  let stderr = ""
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
  options.input?.(child)
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("exit", (code) => resolve({ code, stdout, stderr })),
  )
  return withDeadline(exited, "child exit", CHILD_DEADLINE_MS).finally(() => child.kill())
}

function isOpen(fd: number): boolean {
  try {
    fs.fstatSync(fd)
    return true
  } catch {
    return false
  }
}
// The listing includes the fd readdirSync read it through, closed by the time it returns: dropped.
const openFds = () => new Set(fs.readdirSync("/proc/self/fd").map(Number).filter(isOpen))
// The fds opened since `before` was taken. A set difference, not a count: libzmq's threads may still be
// closing the fds of sockets an earlier test closed, which a count would see as fds this test closed.
const openedSince = (before: Set<number>) => [...openFds()].filter((fd) => !before.has(fd)).sort()

t.test("loadFdWatcher loads the addon once and returns the same class each time", async (t) => {
  t.equal(typeof loaded, "function")
  t.equal(loadFdWatcher(), loaded)
  t.equal(UV_READABLE, 1)
  t.equal(UV_WRITABLE, 2)
})

t.test("a FIFO's read end reports readable when data arrives, and not before", async (t) => {
  const { readFd, writeFd } = makeFifo(t)
  const wakeups: Array<[number, number]> = []
  let woke!: () => void
  const readable = new Promise<void>((resolve) => (woke = resolve))
  const watcher = watch(t, readFd, false, (status, events) => {
    wakeups.push([status, events])
    fs.readSync(readFd, Buffer.alloc(64)) // drain, or the level-triggered poll calls again
    woke()
  })
  t.equal(watcher.fd, readFd, "without duplicate it watches the fd itself")
  watcher.start(UV_READABLE)
  await nextTurn()
  t.same(wakeups, [], "an empty FIFO does not wake the watcher")
  fs.writeSync(writeFd, "hello")
  await withDeadline(readable, "readable wake-up")
  t.same(wakeups, [[0, UV_READABLE]])
})

t.test("a FIFO's write end reports writable, and start() changes the mask", async (t) => {
  const { writeFd } = makeFifo(t)
  const events: number[] = []
  let woke!: () => void
  let writable = new Promise<void>((resolve) => (woke = resolve))
  const watcher = watch(t, writeFd, true, (status, ready) => {
    t.equal(status, 0)
    events.push(ready)
    watcher.stop() // writable stays true: stop, or it is reported on every loop turn
    woke()
  })
  watcher.start(UV_WRITABLE)
  await withDeadline(writable, "writable wake-up")
  t.same(events, [UV_WRITABLE])
  writable = new Promise<void>((resolve) => (woke = resolve))
  watcher.start(UV_READABLE | UV_WRITABLE)
  watcher.start(UV_WRITABLE) // changing the mask again while started is fine
  await withDeadline(writable, "second writable wake-up")
  t.same(events, [UV_WRITABLE, UV_WRITABLE])
  watcher.start(0) // same as stop()
  watcher.stop() // stopping a stopped watcher is a no-op
})

t.test(
  "a watcher on a dup of a PULL socket's ZMQ_FD wakes on a message while zeromq.js keeps receiving",
  async (t) => {
    const { push, pull, zmqFd } = await makePushPull(t)
    let wakeups = 0
    let sharing = false
    let sawReadable!: () => void
    const readable = new Promise<void>((resolve) => (sawReadable = resolve))
    let sawSharedWakeUp!: () => void
    const sharedWakeUp = new Promise<void>((resolve) => (sawSharedWakeUp = resolve))
    const watcher = watch(t, zmqFd, true, () => {
      wakeups++
      if (sharing) {
        // ZMQ_FD is one edge for every reader of the socket: whoever reads ZMQ_EVENTS first drains it. Had
        // this callback read it after zeromq.js's callback, in the same epoll batch, found nothing yet,
        // zeromq.js would never hear of the message (seen once in CI as its receive timing out). So leave
        // the edge to zeromq.js, and stop: an undrained edge would call back on every loop turn.
        watcher.stop()
        sawSharedWakeUp()
        return
      }
      // ZMQ_FD is an edge signal: reading ZMQ_EVENTS re-arms it; without this read libuv's
      // level-triggered poll would call back on every loop turn.
      if (pull.readable) sawReadable()
    })
    t.not(watcher.fd, zmqFd, "it watches a duplicate")
    watcher.start(UV_READABLE)
    await push.send("one")
    await withDeadline(readable, "readable wake-up")
    t.ok(wakeups >= 1)
    const [message] = await withDeadline(pull.receive(), "message")
    t.equal(message!.toString(), "one")

    // zeromq.js's own poller on the original fd works alongside ours, both in one epoll set. Its receive()
    // must be polling before the message comes: libuv adds the fd to epoll at its next poll phase, and a
    // signal that came before then would never reach zeromq.js's poll (seen once in CI as a 120 s hang).
    sharing = true
    const next = pull.receive()
    await new Promise((resolve) => setImmediate(resolve)) // one poll phase: zeromq.js's fd is in epoll now
    await push.send("two")
    const [frame] = await withDeadline(next, "zeromq.js's receive of the second message")
    t.equal(frame!.toString(), "two")
    await withDeadline(sharedWakeUp, "our watcher's wake-up while zeromq.js polls the same socket")
  },
)

t.test("watching a ZMQ_FD that zeromq.js is polling, without duplicate, fails with EEXIST", async (t) => {
  const { push, pull, zmqFd } = await makePushPull(t)
  const pending = pull.receive() // no message yet: zeromq.js polls its ZMQ_FD on this loop
  t.throws(() => new Watcher(zmqFd, false, () => {}), {
    name: "Error",
    code: "EEXIST",
    errno: -17,
    syscall: "uv_poll_init",
    message: /^EEXIST: file already exists, uv_poll_init$/,
  })
  await push.send("unblock")
  const [message] = await withDeadline(pending, "message")
  t.equal(message!.toString(), "unblock", "zeromq.js's own polling is unaffected")
})

t.test("a closed fd fails with EBADF from dup or uv_poll_init", async (t) => {
  const { readFd } = makeFifo(t)
  const closedFd = fs.openSync("/dev/null", "r")
  fs.closeSync(closedFd)
  const before = openFds()
  t.throws(() => new Watcher(closedFd, true, () => {}), { code: "EBADF", syscall: "dup" })
  t.throws(() => new Watcher(closedFd, false, () => {}), {
    code: "EBADF",
    syscall: "uv_poll_init",
    message: /bad file descriptor/,
  })
  t.same(openedSince(before), [], "a failed constructor leaks no fd")
  t.ok(readFd >= 0)
})

t.test("close() is idempotent and every other member then throws 'FdWatcher is closed'", async (t) => {
  const { readFd } = makeFifo(t)
  const watcher = new Watcher(readFd, true, () => {})
  watcher.start(UV_READABLE)
  watcher.close()
  watcher.close()
  const closed = { name: "Error", message: "FdWatcher is closed" }
  t.throws(() => watcher.start(UV_READABLE), closed)
  t.throws(() => watcher.stop(), closed)
  t.throws(() => watcher.ref(), closed)
  t.throws(() => watcher.unref(), closed)
  t.throws(() => watcher.fd, closed)
})

t.test("close() closes the duplicate fd but never the caller's fd", async (t) => {
  const { readFd } = makeFifo(t)
  const before = openFds()
  const duplicated = new Watcher(readFd, true, () => {})
  t.same(openedSince(before), [duplicated.fd], "duplicate opened one fd")
  t.ok(fs.fstatSync(duplicated.fd).isFIFO())
  duplicated.close()
  t.same(openedSince(before), [], "close() closed it")
  t.ok(fs.fstatSync(readFd).isFIFO(), "the original is still open")

  const direct = new Watcher(readFd, false, () => {})
  t.same(openedSince(before), [], "without duplicate, no fd opened")
  direct.close()
  t.ok(fs.fstatSync(readFd).isFIFO(), "without duplicate, close() leaves the fd open")
})

t.test("a watcher may close itself from inside onEvent", async (t) => {
  const { readFd, writeFd } = makeFifo(t)
  let calls = 0
  let closed!: () => void
  const done = new Promise<void>((resolve) => (closed = resolve))
  const watcher: FdWatcher = new Watcher(readFd, true, () => {
    calls++
    watcher.close() // data left unread: only closing stops the level-triggered wake-ups
    closed()
  })
  watcher.start(UV_READABLE)
  fs.writeSync(writeFd, "x")
  await withDeadline(done, "wake-up")
  await nextTurn()
  await nextTurn()
  t.equal(calls, 1)
})

t.test("bad arguments throw TypeError or RangeError naming the argument", async (t) => {
  const { readFd } = makeFifo(t)
  const Untyped = Watcher as unknown as new (...args: unknown[]) => FdWatcher
  t.throws(
    () => new Untyped(-1, false, () => {}),
    new TypeError("fd must be a non-negative integer (got -1)"),
  )
  t.throws(
    () => new Untyped(1.5, false, () => {}),
    new TypeError("fd must be a non-negative integer (got 1.5)"),
  )
  t.throws(() => new Untyped(NaN, false, () => {}), { name: "TypeError", message: /^fd must be/ })
  t.throws(
    () => new Untyped("3", false, () => {}),
    new TypeError("fd must be a non-negative integer (got string)"),
  )
  t.throws(() => new Untyped(), new TypeError("fd must be a non-negative integer (got undefined)"))
  t.throws(() => new Untyped(readFd, 1, () => {}), new TypeError("duplicate must be a boolean (got 1)"))
  t.throws(() => new Untyped(readFd, true, null), new TypeError("onEvent must be a function (got null)"))
  t.throws(() => new Untyped(readFd, true), new TypeError("onEvent must be a function (got undefined)"))
  t.throws(() => (Watcher as unknown as () => void)(), { name: "TypeError", message: /without 'new'/ })

  const watcher = watch(t, readFd, true, () => {})
  const range = {
    name: "RangeError",
    message: /^events must be a mask of UV_READABLE \(1\) and UV_WRITABLE \(2\)/,
  }
  t.throws(() => watcher.start(4), range)
  t.throws(() => watcher.start(-1), range)
  t.throws(() => (watcher as unknown as { start(): void }).start(), range)
  t.throws(() => {
    ;(watcher as { fd: number }).fd = 3
  }, TypeError)
  // V8 checks the receiver of methods defined with napi_define_class before the addon runs.
  t.throws(() => watcher.stop.call({}), { name: "TypeError", message: /Illegal invocation/ })
  t.throws(() => watcher.close.call({}), { name: "TypeError", message: /Illegal invocation/ })
})

t.test("nextTick callbacks and promise continuations queued in onEvent run right after it", async (t) => {
  const { readFd, writeFd } = makeFifo(t)
  const order: string[] = []
  let finished!: () => void
  const done = new Promise<void>((resolve) => (finished = resolve))
  const watcher = watch(t, readFd, true, () => {
    watcher.stop()
    setImmediate(() => {
      order.push("immediate")
      finished()
    })
    void Promise.resolve().then(() => order.push("promise"))
    process.nextTick(() => order.push("nextTick"))
    order.push("onEvent")
  })
  watcher.start(UV_READABLE)
  fs.writeSync(writeFd, "x")
  await withDeadline(done, "wake-up")
  t.same(order, ["onEvent", "nextTick", "promise", "immediate"])
})

t.test("an exception thrown by onEvent is an uncaught exception", async (t) => {
  const code = `
    const { FdWatcher } = require(process.env.ADDON)
    process.on("uncaughtException", (error) => {
      console.log("caught " + error.message)
      watcher.close()
    })
    const watcher = new FdWatcher(0, true, () => { throw new Error("boom") })
    watcher.start(1)
  `
  const result = await runNode(code, { input: (child) => child.stdin!.end("x") })
  t.equal(result.stdout, "caught boom\n")
  t.equal(result.code, 0)
})

t.test("a started watcher keeps the process alive until it wakes and is closed", async (t) => {
  // The child waits on its stdin; we write only after it says it is ready, so it can only see
  // the line if the started watcher kept it alive meanwhile.
  const code = `
    const { FdWatcher } = require(process.env.ADDON)
    const watcher = new FdWatcher(0, true, () => { console.log("woke"); watcher.close() })
    watcher.unref()
    watcher.ref()
    watcher.start(1)
    console.log("ready")
  `
  const result = await runNode(code, {
    input: (child) => child.stdout!.once("data", () => child.stdin!.end("x")),
  })
  t.equal(result.stdout, "ready\nwoke\n")
  t.equal(result.code, 0)
})

t.test("a closed watcher does not keep the process alive", async (t) => {
  const code = `
    const { FdWatcher } = require(process.env.ADDON)
    const watcher = new FdWatcher(0, true, () => {})
    watcher.start(1)
    watcher.close()
    console.log("closed")
  `
  const result = await runNode(code) // stdin stays open and empty: nothing would wake it
  t.equal(result.stdout, "closed\n")
  t.equal(result.code, 0)
})

t.test("an unref()ed started watcher does not keep the process alive", async (t) => {
  const code = `
    const { FdWatcher } = require(process.env.ADDON)
    const watcher = new FdWatcher(0, true, () => {})
    watcher.start(1)
    watcher.unref()
    console.log("unref")
  `
  const result = await runNode(code)
  t.equal(result.stdout, "unref\n")
  t.equal(result.code, 0)
})

// Started and not: on Node 26 an async context's resource is held until napi_async_destroy, so a watcher
// that were its own resource would never be collected (the addon passes none).
t.test("a watcher garbage-collected without close() closes its duplicate fd", async (t) => {
  const code = `
    const fs = require("node:fs")
    const { FdWatcher } = require(process.env.ADDON)
    const count = () => fs.readdirSync("/proc/self/fd").length
    const before = count()
    ; (() => { new FdWatcher(0, true, () => {}).start(1); new FdWatcher(0, true, () => {}) })()
    const opened = count()
    const deadline = Date.now() + 4000
    ;(function collect() {
      globalThis.gc()
      if (count() === before) return console.log("collected", opened - before)
      if (Date.now() > deadline) return console.log("still open")
      setImmediate(collect)
    })()
  `
  const result = await runNode(code, { args: ["--expose-gc"] })
  t.equal(result.stdout, "collected 2\n")
  t.equal(result.code, 0)
})

t.test("watchers left open in a worker thread are closed cleanly when the worker exits", async (t) => {
  // At env teardown Node unloads the addon; a uv_close callback still queued then would crash.
  const code = `
    const { Worker } = require("node:worker_threads")
    const open = "const { FdWatcher } = require(process.env.ADDON);" +
      "const started = new FdWatcher(0, true, () => {}); started.start(1);" +
      "const stopped = new FdWatcher(0, true, () => {});" +
      "globalThis.keep = [started, stopped];"
    const exitsOnItsOwn = new Worker(open + "started.unref()", { eval: true })
    exitsOnItsOwn.on("exit", (code) => {
      const terminated = new Worker(open + "require('node:worker_threads').parentPort.postMessage('ready')", { eval: true })
      terminated.on("message", () => terminated.terminate())
      terminated.on("exit", () => console.log("workers exited", code))
    })
  `
  const result = await runNode(code)
  t.equal(result.stdout, "workers exited 0\n")
  t.equal(result.code, 0)
})
