// FdWatcher.check(): the zero-timeout poll(2) that lets a Poller's timeout ask a plain fd before it
// settles. It must report what the watcher's own onEvent reports for the same state (a fast path that
// behaves differently from the slow one is a bug), so each case compares the two on a real FIFO.
import t, { type Test } from "tap"
import * as fs from "node:fs"
import type { FdWatcher, FdWatcherConstructor } from "../src/native/fd-watcher.js"
import { loadFdWatcher, UV_READABLE, UV_WRITABLE } from "../src/native/fd-watcher.js"
import { makeFifo } from "./helpers/fifo.js"

const UV_EBADF = -9
const loaded = loadFdWatcher()
if (loaded instanceof Error) throw new Error(`no native addon: ${loaded.message}`)
const Watcher: FdWatcherConstructor = loaded

/** What the started watcher's onEvent reports next, as check() encodes it (events, or the negative status). */
function nextEvent(watcher: FdWatcher, events: number, got: { next?: (result: number) => void }) {
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no onEvent within 5 s")), 5000)
    got.next = (result) => {
      clearTimeout(timer)
      watcher.stop()
      resolve(result)
    }
    watcher.start(events)
  })
}

function watcherOn(t: Test, fd: number) {
  const got: { next?: (result: number) => void } = {}
  const watcher = new Watcher(fd, false, (status, events) => got.next?.(status < 0 ? status : events))
  t.teardown(() => watcher.close())
  return { watcher, got }
}

t.test("check() reports what onEvent reports: writable, readable, hang-up", async (t) => {
  const { readFd, writeFd } = makeFifo(t, { closesEnds: true })
  const writer = watcherOn(t, writeFd)
  t.equal(writer.watcher.check(UV_WRITABLE), UV_WRITABLE, "an empty FIFO's write end is writable")
  t.equal(await nextEvent(writer.watcher, UV_WRITABLE, writer.got), UV_WRITABLE, "onEvent agrees")

  const reader = watcherOn(t, readFd)
  t.equal(reader.watcher.check(UV_READABLE), 0, "nothing to read: 0, at once")
  fs.writeSync(writeFd, "x")
  t.equal(reader.watcher.check(UV_READABLE | UV_WRITABLE), UV_READABLE, "only what is ready")
  t.equal(await nextEvent(reader.watcher, UV_READABLE, reader.got), UV_READABLE, "onEvent agrees")

  writer.watcher.close()
  fs.closeSync(writeFd) // the data stays readable, plus a hang-up
  t.equal(reader.watcher.check(UV_READABLE), UV_READABLE, "readable with data and a hang-up")
  fs.readSync(readFd, Buffer.alloc(4))
  t.equal(reader.watcher.check(UV_READABLE), UV_READABLE, "a lone hang-up wakes the interest, as libuv does")
  t.equal(await nextEvent(reader.watcher, UV_READABLE, reader.got), UV_READABLE, "onEvent agrees")
  reader.watcher.close()
  fs.closeSync(readFd)
})

t.test("check() on a closed fd is UV_EBADF; bad masks and closed watchers throw", async (t) => {
  const { readFd, writeFd } = makeFifo(t, { closesEnds: true })
  fs.closeSync(writeFd)
  const watcher = new Watcher(readFd, false, () => {})
  t.teardown(() => watcher.close())
  t.throws(() => watcher.check(4), { name: "RangeError", message: /^events must be a mask .* \(got 4\)$/ })
  t.throws(() => watcher.check("1" as never), { name: "RangeError", message: /\(got string\)$/ })
  fs.closeSync(readFd) // the watcher is stopped: nothing polls the number meanwhile
  t.equal(watcher.check(UV_READABLE), UV_EBADF)
  watcher.close()
  t.throws(() => watcher.check(UV_READABLE), { message: "FdWatcher is closed" })
})
