import t from "tap"
import { spawnSync } from "node:child_process"
import * as zmq from "zeromq"
import { READ } from "../src/index.js"
import { newLoop } from "./helpers/loop.js"
import { CHILD_NODE } from "./helpers/child-node.js"

const notAFunction = [42, "f", null, undefined, {}]

t.test("a callback that is not a function is a TypeError naming the argument", async (t) => {
  const loop = newLoop(t)
  for (const bad of notAFunction) {
    const callback = bad as unknown as () => void
    t.throws(() => loop.addCallback(callback), {
      name: "TypeError",
      message: /^callback must be a function, got /,
    })
    t.throws(() => loop.spawnCallback(callback), {
      name: "TypeError",
      message: /^callback must be a function/,
    })
    t.throws(() => loop.callLater(1, callback), {
      name: "TypeError",
      message: /^callback must be a function/,
    })
    t.throws(() => loop.addTimeout(1, callback), {
      name: "TypeError",
      message: /^callback must be a function/,
    })
    t.throws(() => loop.addPromise(Promise.resolve(), callback), {
      name: "TypeError",
      message: /^callback must be/,
    })
    t.throws(() => loop.addHandler(0, callback, READ), {
      name: "TypeError",
      message: /^handler must be a function/,
    })
  }
  await t.rejects(loop.runSync(42 as unknown as () => void), {
    name: "TypeError",
    message: /^fn must be a function/,
  })
})

t.test("a deadline or delay that is not a finite number is a TypeError naming the argument", async (t) => {
  const loop = newLoop(t)
  for (const bad of [Number.NaN, Infinity, "5", null]) {
    const value = bad as unknown as number
    t.throws(() => loop.addTimeout(value, () => {}), {
      name: "TypeError",
      message: /^deadline must be a finite number/,
    })
    t.throws(() => loop.callAt(value, () => {}), {
      name: "TypeError",
      message: /^when must be a finite number/,
    })
    t.throws(() => loop.callLater(value, () => {}), {
      name: "TypeError",
      message: /^delay must be a finite number/,
    })
  }
  await t.rejects(
    loop.runSync(() => 1, { timeout: Number.NaN }),
    { message: /^options\.timeout must be a finite/ },
  )
  t.throws(() => loop.setBlockingLogThreshold("5" as unknown as number), {
    message: /^ms must be a finite number/,
  })
})

t.test("events outside READ | WRITE | ERROR are refused", async (t) => {
  const loop = newLoop(t)
  const socket = new zmq.Dealer()
  t.teardown(() => socket.close())
  t.throws(() => loop.addHandler(socket, () => {}, 0x100), {
    name: "RangeError",
    message: /^events must only hold/,
  })
  t.throws(() => loop.addHandler(socket, () => {}, 1.5), {
    name: "TypeError",
    message: /^events must be an integer/,
  })
  t.throws(() => loop.addHandler(socket, () => {}, "1" as unknown as number), TypeError)
  loop.addHandler(socket, () => {}, READ)
  t.throws(() => loop.updateHandler(socket, -1), RangeError)
})

t.test("a target that is neither a zeromq socket nor an fd is a TypeError", async (t) => {
  const loop = newLoop(t)
  for (const bad of [-1, 1.5, "3", {}, null, { closed: false }]) {
    t.throws(() => loop.addHandler(bad as unknown as number, () => {}, READ), {
      name: "TypeError",
      message: /^target must be a zeromq socket or a file descriptor, got /,
    })
  }
  const closed = new zmq.Dealer()
  closed.close()
  t.throws(() => loop.addHandler(closed, () => {}, READ), { message: /the socket is closed/ })
})

t.test("removeTimeout refuses what is not a Timeout; addPromise refuses a non-promise", async (t) => {
  const loop = newLoop(t)
  t.throws(() => loop.removeTimeout({} as never), {
    name: "TypeError",
    message: /^timeout must be a Timeout/,
  })
  t.throws(() => loop.addPromise(42 as never, () => {}), {
    name: "TypeError",
    message: /^promise must be a promise/,
  })
})

t.test(
  "without the native addon, 'auto' falls back to the interval poller with one warning and 'fd' throws",
  async (t) => {
    const script = `
    import { IOLoop } from ${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)}
    const warnings = []
    const logger = { ...console, warn: (line) => warnings.push(line) }
    const first = new IOLoop({ makeCurrent: false, logger })
    const second = new IOLoop({ makeCurrent: false, logger })
    let forced = ""
    try { new IOLoop({ poller: "fd", makeCurrent: false }) } catch (error) { forced = error.message }
    console.log(JSON.stringify({ kinds: [first.pollerKind, second.pollerKind], warnings, forced }))
  `
    const result = spawnSync(CHILD_NODE, ["--input-type=module", "-e", script], {
      encoding: "utf8",
      env: { ...process.env, ZMQ_EVENTLOOP_ADDON: "/nonexistent/fd_watcher.node" },
      timeout: 60_000,
    })
    t.equal(result.status, 0, result.stderr)
    const outcome = JSON.parse(result.stdout) as { kinds: string[]; warnings: string[]; forced: string }
    t.same(outcome.kinds, ["interval", "interval"])
    t.equal(outcome.warnings.length, 1, "one warning per process")
    t.match(outcome.warnings[0], /native fd watcher unavailable .*; using the interval poller/)
    t.match(outcome.forced, /^the fd poller is not available: /)
  },
)
