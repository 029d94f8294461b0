// The native data path at volume: 200k multipart messages over tcp through native send and native receive,
// and 2000 attach/close cycles with garbage collections in between.
import t, { type Test } from "tap"
import * as zmq from "zeromq"
import { ZMQ_FD, ZMQ_POLLIN, ZMQ_POLLOUT } from "../src/constants.js"
import { loadFdWatcher, UV_READABLE, type FdWatcherConstructor } from "../src/native/fd-watcher.js"
import type { NativeDataPath } from "../src/native/data-path.js"
import { attachOrFail, collectGarbage, DEADLINE_MS, intOption, thrownBy } from "./helpers/native-data-path.js"
import { socketPair } from "./helpers/sockets.js"

const MESSAGES = 200_000
const STRESS_DEADLINE_MS = 100_000
const CYCLES = 2000

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Bytes that repeat every 251 (a prime), so a frame at any offset differs from its neighbours. */
const PATTERN = Buffer.from(Array.from({ length: 64 * 1024 + 256 }, (_, i) => i % 251))

/** A hash of (i, salt), so the sender and the receiver derive each message on their own. */
function hash(i: number, salt: number): number {
  let x = Math.imul(i ^ (salt * 0x9e3779b9), 0x85ebca6b)
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35)
  return (x ^ (x >>> 16)) >>> 0
}

/** Message i: an 8-byte frame with its number, then 1 to 3 frames of 64 B to 64 KiB, small ones far likelier. */
function messageOf(i: number): Buffer[] {
  const header = Buffer.alloc(8)
  header.writeUInt32LE(i)
  const frames = [header]
  const parts = 1 + (hash(i, 0) % 3)
  for (let part = 1; part <= parts; part++) {
    const h = hash(i, part)
    const sizeClass = Math.min(Math.clz32(h), 10) // 0 half the time, 1 a quarter … 10 one in 1024
    const offset = h & 0xff
    frames.push(PATTERN.subarray(offset, offset + (64 << sizeClass)))
  }
  return frames
}

/**
 * Calls `step()` until it returns true: at once, then whenever either socket's ZMQ_FD wakes, or again at
 * the next turn when ZMQ_EVENTS shows the step would make progress (libzmq's rule: after reading
 * ZMQ_EVENTS, the fd only signals new changes). `wanted()` says which events the step can use now.
 */
function pump(
  t: Test,
  paths: NativeDataPath[],
  wanted: (path: NativeDataPath) => number,
  step: () => boolean,
  describe: () => string,
): Promise<void> {
  const Watcher = loadFdWatcher() as FdWatcherConstructor
  return new Promise<void>((resolve, reject) => {
    let scheduled = false
    const finish = (settle: () => void) => {
      clearTimeout(timer)
      for (const watcher of watchers) watcher.close()
      settle()
    }
    const run = () => {
      scheduled = false
      try {
        if (step()) return finish(resolve)
        if (!scheduled && paths.some((path) => path.events() & wanted(path))) {
          scheduled = true
          setImmediate(run)
        }
      } catch (error) {
        finish(() => reject(error as Error))
      }
    }
    const timer = setTimeout(
      () => finish(() => reject(new Error(`not done within ${STRESS_DEADLINE_MS} ms: ${describe()}`))),
      STRESS_DEADLINE_MS,
    )
    const watchers = paths.map((path) => new Watcher(intOption(path.socket, ZMQ_FD), true, run))
    t.teardown(() => watchers.forEach((watcher) => watcher.close()))
    for (const watcher of watchers) watcher.start(UV_READABLE)
    run()
  })
}

t.test(`${MESSAGES} tcp messages of mixed multipart sizes arrive in order and intact`, async (t) => {
  const [pull, push] = await socketPair(t, new zmq.Pull(), new zmq.Push())
  const pullPath = attachOrFail(pull)
  const pushPath = attachOrFail(push)
  let sent = 0
  let received = 0
  let bytes = 0
  let mismatch: string | null = null
  let next = messageOf(0)
  const step = () => {
    while (sent < MESSAGES && pushPath.send(next)) next = messageOf(++sent)
    for (let message = pullPath.receive(); message !== undefined; message = pullPath.receive()) {
      const expected = messageOf(received)
      if (
        mismatch === null &&
        (message.length !== expected.length || message.some((frame, i) => !frame.equals(expected[i])))
      )
        mismatch = `message ${received}: ${message.length} frames, header ${message[0].readUInt32LE()}`
      for (const frame of message) bytes += frame.length
      received++
    }
    return received === MESSAGES
  }
  await pump(
    t,
    [pushPath, pullPath],
    (path) => (path === pullPath ? ZMQ_POLLIN : sent < MESSAGES ? ZMQ_POLLOUT : 0),
    step,
    () => `${sent} sent, ${received} received`,
  )
  t.equal(mismatch, null, "every message equals what was sent, in order")
  t.equal(received, MESSAGES)
  t.ok(bytes > MESSAGES * 8, `${(bytes / 2 ** 20).toFixed(0)} MiB received`)
  t.equal(pullPath.buffered, false)
})

t.test(`${CYCLES} attach/close cycles with garbage collections leave nothing behind`, async (t) => {
  let collected = 0
  const registry = new FinalizationRegistry(() => collected++)
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    const socket = new zmq.Dealer()
    registry.register(socket, cycle)
    const path = attachOrFail(socket)
    path.events()
    // Every other socket is left open for the garbage collector to close (zeromq.js's finalizer).
    if (cycle % 2 === 0) {
      socket.close()
      if (thrownBy(() => path.send("x")).code !== "EBADF") throw new Error(`cycle ${cycle}: not seen closed`)
    }
    if (cycle % 100 === 0) {
      // zeromq.js's finalizers run after the collection, once JavaScript yields: only then are the
      // collected open sockets closed and their fds released.
      collectGarbage()
      await nextTurn()
    }
  }
  // One socket may stay reachable from V8's own state (plain zeromq.js sockets show the same).
  const deadline = Date.now() + DEADLINE_MS
  while (collected < CYCLES - 1 && Date.now() < deadline) {
    collectGarbage()
    await nextTurn()
  }
  t.ok(collected >= CYCLES - 1, `${collected} of ${CYCLES} sockets and their data paths were collected`)
})
