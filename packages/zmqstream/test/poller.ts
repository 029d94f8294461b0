// Poller: pyzmq's asynchronous Poller (zmq.asyncio.Poller / zmq.eventloop.future.Poller) on the IOLoop, on
// both pollers, against real sockets over tcp and inproc. pyzmq's tests (test_future.py test_poll,
// test_asyncio.py test_poll_base_socket) check the same: a poll resolves with POLLIN once a message is
// there and the socket is then read with recv.
import { spawn } from "node:child_process"
import { closeSync, openSync, readSync, writeSync } from "node:fs"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import t, { type Test } from "tap"
import * as zmq from "zeromq"
import { IOLoop, type IOLoopOptions } from "@zmq-eventloop/ioloop"
import { Poller, POLLERR, POLLIN, POLLOUT, ZMQStream, type PollEvents } from "../src/index.js"
import { makeFifo } from "../../ioloop/test/helpers/fifo.js"
import { bindAny, deferred, loopTest, POLLERS } from "./helpers/loop.js"
import { PYTHON, pyzmqSkipReason } from "./helpers/python.js"

/** `promise`, or a rejection naming `what` after `ms`: every wait has a deadline. */
function within<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  const outcome = deferred<Promise<T>>()
  outcome.resolve(promise) // the deferred's promise adopts this one's outcome
  return outcome.wait(what, ms) as Promise<unknown> as Promise<T>
}

/** Whether `promise` has settled, as seen after the microtasks and one turn of Node's loop have run. */
async function hasSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false
  promise.then(
    () => (settled = true),
    () => (settled = true),
  )
  await new Promise((resolve) => setImmediate(resolve))
  return settled
}

/** A connected PUSH → PULL pair over inproc, both closed at teardown. */
async function pushPull(track: <S extends zmq.Socket>(s: S) => S) {
  const pull = track(new zmq.Pull())
  const push = track(new zmq.Push())
  push.connect(await bindAny(pull, "inproc"))
  return { push, pull }
}

loopTest("poll resolves with POLLIN once a registered socket has a message", async (t, { loop, track }) => {
  const { push, pull } = await pushPull(track)
  const poller = new Poller(loop)
  poller.register(pull, POLLIN)
  const polled = poller.poll()
  t.notOk(await hasSettled(polled), "nothing to read yet: the poll waits")
  await push.send("hello")
  t.same(await within(polled, "the POLLIN poll"), [[pull, POLLIN]])
  t.same(await pull.receive(), [Buffer.from("hello")], "receive() then reads the message")
})

loopTest("POLLOUT is reported for a writable socket and not for a DEALER without a peer", async (t, ctx) => {
  const { push } = await pushPull(ctx.track)
  const lonely = ctx.track(new zmq.Dealer())
  const poller = new Poller(ctx.loop)
  poller.register(push) // default POLLIN | POLLOUT: a PUSH is never readable
  poller.register(lonely, POLLOUT)
  t.same(await within(poller.poll(), "the POLLOUT poll"), [[push, POLLOUT]])
})

loopTest("poll(0) checks now: [] when nothing is ready, the ready sockets otherwise", async (t, ctx) => {
  const { push, pull } = await pushPull(ctx.track)
  const poller = new Poller(ctx.loop)
  poller.register(pull, POLLIN)
  t.same(await within(poller.poll(0), "poll(0)"), [])
  await push.send("x")
  await within(waitReadable(pull, ctx.loop), "the message to arrive")
  t.same(await within(poller.poll(0), "poll(0) with a message"), [[pull, POLLIN]])
})

/** Resolves once `socket` has a message, seen by a second Poller (the loop's own view). */
async function waitReadable(socket: zmq.Socket, loop: IOLoop): Promise<void> {
  const watcher = new Poller(loop)
  watcher.register(socket, POLLIN)
  await watcher.poll()
}

loopTest("a poll resolves to [] when its timeout passes with nothing ready", async (t, ctx) => {
  const { pull } = await pushPull(ctx.track)
  const poller = new Poller(ctx.loop)
  poller.register(pull, POLLIN)
  t.same(await within(poller.poll(20), "the timeout"), [])
  t.same(await within(poller.poll(0.5), "a fractional timeout"), [])
})

loopTest("a socket still ready is reported again by the next poll (level-triggered)", async (t, ctx) => {
  const { push, pull } = await pushPull(ctx.track)
  const poller = new Poller(ctx.loop)
  poller.register(pull, POLLIN)
  await push.send("unread")
  for (let round = 1; round <= 3; round++) {
    t.same(await within(poller.poll(), `poll ${round}`), [[pull, POLLIN]], `reported in poll ${round}`)
  }
  await pull.receive()
  t.same(await within(poller.poll(0), "the poll after reading"), [], "no longer once read")
})

loopTest("several pending polls all resolve, each with its own result", async (t, ctx) => {
  const { push, pull } = await pushPull(ctx.track)
  const poller = new Poller(ctx.loop)
  poller.register(pull, POLLIN)
  const polls = [poller.poll(), poller.poll(null), poller.poll(-1), poller.poll(60_000)]
  t.notOk(await hasSettled(Promise.race(polls)), "all wait")
  await push.send("for everyone")
  const results = await within(Promise.all(polls), "the four polls")
  for (const result of results) t.same(result, [[pull, POLLIN]])
  t.not(results[0], results[1], "separate arrays")
})

loopTest("a poll whose timeout passes settles alone; the others keep waiting", async (t, ctx) => {
  const { push, pull } = await pushPull(ctx.track)
  const poller = new Poller(ctx.loop)
  poller.register(pull, POLLIN)
  const patient = poller.poll()
  t.same(await within(poller.poll(10), "the short poll"), [])
  t.notOk(await hasSettled(patient), "the poll without a timeout still waits")
  await push.send("late")
  t.same(await within(patient, "the patient poll"), [[pull, POLLIN]])
})

loopTest("modify() during a pending poll changes what it waits for", async (t, ctx) => {
  const { push, pull } = await pushPull(ctx.track)
  const poller = new Poller(ctx.loop)
  poller.register(push, POLLIN) // a PUSH never has POLLIN
  const polled = poller.poll()
  t.notOk(await hasSettled(polled))
  poller.modify(push, POLLIN | POLLOUT)
  t.same(await within(polled, "the modified poll"), [[push, POLLOUT]])
  t.same(poller.sockets, [[push, POLLIN | POLLOUT]])
  poller.register(push, 0) // flags 0 unregisters, as in pyzmq
  poller.register(pull, 0) // and is ignored for a target that is not registered
  t.same(poller.sockets, [])
})

loopTest("unregister() and register() during a pending poll take effect in it", async (t, ctx) => {
  const first = await pushPull(ctx.track)
  const second = await pushPull(ctx.track)
  const poller = new Poller(ctx.loop)
  poller.register(first.pull, POLLIN)
  const polled = poller.poll()
  poller.unregister(first.pull)
  await first.push.send("ignored")
  await within(waitReadable(first.pull, ctx.loop), "the first message")
  t.notOk(await hasSettled(polled), "an unregistered socket is not reported")
  poller.register(second.pull, POLLIN)
  await second.push.send("seen")
  t.same(await within(polled, "the poll"), [[second.pull, POLLIN]])
  t.throws(() => poller.unregister(first.pull), { message: "unregister: the target is not registered" })
})

loopTest("every ready socket is reported, in registration order", async (t, ctx) => {
  const first = await pushPull(ctx.track)
  const second = await pushPull(ctx.track)
  const poller = new Poller(ctx.loop)
  poller.register(second.pull, POLLIN)
  poller.register(first.pull, POLLIN)
  await first.push.send("1")
  await second.push.send("2")
  await within(waitReadable(first.pull, ctx.loop), "the first message")
  await within(waitReadable(second.pull, ctx.loop), "the second message")
  t.same(await within(poller.poll(), "the poll"), [
    [second.pull, POLLIN],
    [first.pull, POLLIN],
  ])
})

loopTest(
  "registering a socket again replaces its flags (pyzmq test_poller_events, REQ/REP)",
  async (t, ctx) => {
    // pyzmq's zmq/tests/test_ioloop.py test_poller_events as written, but for its poll(1): the poll that
    // expects REQ's POLLOUT waits for it (the tcp connection may take longer than 1 ms on a busy machine)
    const rep = ctx.track(new zmq.Reply())
    const req = ctx.track(new zmq.Request())
    req.connect(await bindAny(rep, "tcp"))
    const poller = new Poller(ctx.loop)
    poller.register(req, POLLIN)
    poller.register(rep, POLLIN)
    t.same(await within(poller.poll(0), "poll(0)"), [], "nothing to read on either")

    poller.register(req, POLLOUT)
    poller.register(rep, POLLOUT)
    t.same(await within(poller.poll(), "REQ's POLLOUT"), [[req, POLLOUT]], "REQ may send, REP may not yet")

    poller.register(rep, POLLIN)
    await req.send("hi")
    t.same(await within(poller.poll(), "REP's POLLIN"), [[rep, POLLIN]], "REP has the request, REQ awaits it")
  },
)

loopTest("a closed socket is reported with POLLERR, by every poll", async (t, ctx) => {
  const { pull } = await pushPull(ctx.track)
  const poller = new Poller(ctx.loop)
  poller.register(pull, POLLIN)
  const polled = poller.poll()
  t.notOk(await hasSettled(polled))
  pull.close()
  t.same(await within(polled, "the poll pending at close"), [[pull, POLLERR]])
  t.same(await within(poller.poll(), "a later poll"), [[pull, POLLERR]])
  t.same(await within(poller.poll(0), "poll(0)"), [[pull, POLLERR]])
  poller.unregister(pull)
  t.throws(() => poller.register(pull), { message: "register: the socket is closed" })
})

loopTest("receive() after POLLIN works with zeromq.js's default receiveTimeout", async (t, ctx) => {
  // More messages than zeromq.js's 512 consecutive synchronous operations, after which it delays one
  // receive() through its own poller: the poll loop must go on regardless. A second Poller keeps the socket
  // registered with the loop (POLLERR only) meanwhile, so every receive() is a call on a watched socket.
  const { push, pull } = await pushPull(ctx.track)
  t.equal(pull.receiveTimeout, -1, "the default: wait")
  const count = 600
  for (let i = 0; i < count; i++) await push.send(String(i))
  const guard = new Poller(ctx.loop)
  guard.register(pull, POLLERR)
  const closedReport = guard.poll()
  const poller = new Poller(ctx.loop)
  poller.register(pull, POLLIN)
  const received: string[] = []
  while (received.length < count) {
    const events = new Map(await within(poller.poll(), `poll for message ${received.length}`))
    if (events.get(pull)! & POLLIN) received.push(String(await pull.receive()))
  }
  t.same(
    received,
    Array.from({ length: count }, (_, i) => String(i)),
  )
  t.same(await within(poller.poll(0), "the poll once all is read"), [])
  t.notOk(await hasSettled(closedReport), "the POLLERR-only poll waits while the socket is open")
  pull.close()
  t.same(await within(closedReport, "the POLLERR report"), [[pull, POLLERR]])
})

loopTest("a Poller works beside a ZMQStream on the same loop", async (t, { loop, track }) => {
  const server = new ZMQStream(track(new zmq.Router()), loop)
  server.onRecv(([identity, ...body]) => server.sendMultipart([identity!, Buffer.from("re:"), ...body]))
  const client = track(new zmq.Dealer())
  client.connect(await bindAny(server.socket))
  const poller = new Poller(loop)
  poller.register(client, POLLIN)
  for (let n = 0; n < 20; n++) {
    await client.send(String(n))
    const events = new Map(await within(poller.poll(10_000), `reply ${n}`))
    t.equal(events.get(client), POLLIN)
    const reply = await client.receive()
    if (String(reply) !== `re:,${n}`) t.fail(`reply ${n}: ${String(reply)}`)
  }
  t.pass("20 round trips")
  server.close(0)
})

loopTest("a socket driven by a ZMQStream cannot be polled", async (t, { loop, track }) => {
  const stream = new ZMQStream(track(new zmq.Dealer()), loop)
  const poller = new Poller(loop)
  const refused = {
    name: "Error",
    message: /already registered with the IOLoop \(by a ZMQStream or addHandler\)/,
  }
  t.throws(() => poller.register(stream.socket, POLLIN), refused, "refused at register()")
  t.same(poller.sockets, [])

  // A stream made after register(): the next poll() throws, and leaves nothing behind.
  const other = await pushPull(track)
  const later = track(new zmq.Dealer())
  poller.register(other.pull, POLLIN)
  poller.register(later, POLLIN)
  const laterStream = new ZMQStream(later, loop)
  t.throws(() => poller.poll(100), refused, "refused at poll()")
  poller.unregister(later)
  await other.push.send("still polled")
  t.same(await within(poller.poll(), "the poll without the stream's socket"), [[other.pull, POLLIN]])

  // A stream made while a poll is pending on its socket: the stream is refused.
  const pending = poller.poll()
  t.throws(() => new ZMQStream(other.pull, loop), { message: /already registered/ })
  t.same(await within(pending, "the pending poll"), [[other.pull, POLLIN]])
  stream.close(0)
  laterStream.close(0)
})

loopTest("nothing is registered with the loop while no poll is pending", async (t, { loop, track }) => {
  const { push, pull } = await pushPull(track)
  const poller = new Poller(loop)
  poller.register(pull, POLLIN)
  await push.send("one")
  await within(poller.poll(), "the poll")
  // Free again: the loop takes another handler for the socket.
  const handled = deferred()
  loop.addHandler(pull, () => handled.resolve(), IOLoop.READ)
  await handled.wait("the handler of the program")
  t.throws(
    () => poller.poll(),
    { message: /already registered with the IOLoop/ },
    "which a poll then refuses",
  )
  loop.removeHandler(pull)
})

loopTest(
  "the loop's updateHandler/removeHandler refuse a socket a poll is pending on, which stays heard",
  async (t, { loop, track }) => {
    // removeHandler took the Poller's registration: the pending poll then timed out empty with a message
    // waiting (pyzmq's Poller keeps no registration with the loop for it to take).
    const { push, pull } = await pushPull(track)
    const poller = new Poller(loop)
    poller.register(pull, POLLIN)
    const polled = poller.poll(60_000)
    t.notOk(await hasSettled(polled), "nothing to read yet: the poll waits")
    for (const call of [() => loop.removeHandler(pull), () => loop.updateHandler(pull, IOLoop.WRITE)]) {
      t.throws(call, {
        message:
          /^(remove|update)Handler: Pull socket belongs to a Poller on this loop, which keeps its registration: it lets go once no poll is pending on it$/,
      })
    }
    await push.send("hello")
    t.same(await within(polled, "the poll"), [[pull, POLLIN]], "the poll hears the message")
    loop.removeHandler(pull) // no poll pending: the Poller let go, and this is a no-op again
  },
)

loopTest("two Pollers poll the same socket, each for its own flags", async (t, ctx) => {
  const { push, pull } = await pushPull(ctx.track)
  const dealer = ctx.track(new zmq.Dealer())
  const router = ctx.track(new zmq.Router())
  dealer.connect(await bindAny(router, "inproc"))
  const reader = new Poller(ctx.loop)
  const writer = new Poller(ctx.loop)
  reader.register(dealer, POLLIN)
  reader.register(pull, POLLIN)
  writer.register(dealer, POLLOUT)
  t.same(await within(writer.poll(), "the writer's poll"), [[dealer, POLLOUT]])
  const reading = reader.poll()
  t.same(await within(writer.poll(), "the writer's second poll"), [[dealer, POLLOUT]])
  t.notOk(await hasSettled(reading), "the reader waits: nothing to read")
  await push.send("now")
  t.same(await within(reading, "the reader's poll"), [[pull, POLLIN]])
})

loopTest("a plain file descriptor is polled on the fd poller only", async (t, { loop, poller: kind }) => {
  const { readFd, writeFd } = makeFifo(t)
  const poller = new Poller(loop)
  if (kind === "interval") {
    t.throws(() => poller.register(readFd, POLLIN), {
      name: "TypeError",
      message: `target: a plain file descriptor needs the IOLoop's fd poller (this loop uses "interval"), got ${readFd}`,
    })
    return
  }
  poller.register(readFd, POLLIN)
  const polled = poller.poll()
  t.notOk(await hasSettled(polled))
  writeSync(writeFd, "data")
  t.same(await within(polled, "the fd poll"), [[readFd, POLLIN]])
  t.same(await within(poller.poll(), "the unread fd"), [[readFd, POLLIN]], "still readable: reported again")
  readSync(readFd, Buffer.alloc(16))
  t.same(await within(poller.poll(0), "the drained fd"), [])

  const other = new Poller(loop)
  loop.addHandler(writeFd, () => {}, IOLoop.NONE)
  t.throws(() => other.register(writeFd, POLLOUT), {
    message: `fd ${writeFd} is already registered with the IOLoop (by a ZMQStream or addHandler): the loop takes one handler per socket or fd, so a Poller cannot poll it`,
  })
  loop.removeHandler(writeFd)

  t.same(other.sockets, [])
})

for (const kind of POLLERS) {
  t.test(`an fd number that is not open is POLLERR at every poll (${kind} poller)`, async (t) => {
    // As pyzmq's zmq.Poller and its asyncio Poller report it (poll(2)'s POLLNVAL); the loop refuses it
    const loop = runningLoop(t, { poller: kind })
    const closedFd = openSync("/dev/null", "r")
    closeSync(closedFd)
    const poller = new Poller(loop)
    poller.register(closedFd, POLLIN)
    t.same(await within(poller.poll(), "the closed fd's poll"), [[closedFd, POLLERR]])
    t.same(await within(poller.poll(0), "again"), [[closedFd, POLLERR]], "every poll")
    t.throws(
      () => loop.addHandler(closedFd, () => {}, IOLoop.READ),
      kind === "fd" ? { code: "EBADF" } : { name: "TypeError" },
      "addHandler refuses it",
    )
    poller.unregister(closedFd)
    t.same(poller.sockets, [])
  })
}

t.test("a plain fd's error or hang-up is POLLERR, as pyzmq's zmq_poll has it", async (t) => {
  // pyzmq 24's zmq.Poller on the same FIFOs (libzmq 4.3.4) gives each of these results
  const loop = runningLoop(t, { poller: "fd" })
  const withData = makeFifo(t, { closesEnds: true })
  t.teardown(() => closeSync(withData.readFd))
  writeSync(withData.writeFd, "x")
  closeSync(withData.writeFd)
  const poller = new Poller(loop)
  poller.register(withData.readFd, POLLIN)
  t.same(await within(poller.poll(), "data, then a hang-up"), [[withData.readFd, POLLIN | POLLERR]])
  readSync(withData.readFd, Buffer.alloc(4))
  t.same(await within(poller.poll(), "a hang-up alone"), [[withData.readFd, POLLERR]], "not POLLIN")
  poller.modify(withData.readFd, POLLOUT)
  t.same(
    await within(poller.poll(), "POLLOUT asked"),
    [[withData.readFd, POLLERR]],
    "a read end is never writable",
  )
  poller.unregister(withData.readFd)

  const noReader = makeFifo(t, { closesEnds: true })
  t.teardown(() => closeSync(noReader.writeFd))
  closeSync(noReader.readFd)
  poller.register(noReader.writeFd, POLLOUT)
  t.same(await within(poller.poll(), "a write end, its reader gone"), [[noReader.writeFd, POLLOUT | POLLERR]])
})

loopTest(
  "a regular file's fd is ready at once, every poll, as poll(2) has it (stdin redirected from a file)",
  async (t, { loop }) => {
    const fd = openSync(fileURLToPath(import.meta.url), "r")
    t.teardown(() => closeSync(fd))
    const poller = new Poller(loop)
    poller.register(fd, POLLIN)
    t.same(await within(poller.poll(), "the file's poll"), [[fd, POLLIN]])
    t.same(await within(poller.poll(0), "poll(0)"), [[fd, POLLIN]], "and again: a file is always readable")
    poller.modify(fd, POLLIN | POLLOUT)
    t.same(await within(poller.poll(1000), "POLLIN | POLLOUT"), [[fd, POLLIN | POLLOUT]])
    poller.unregister(fd)
    t.same(await within(poller.poll(0), "nothing registered"), [])
  },
)

loopTest(
  "/dev/null, a device without poll support (stdin under nohup or systemd), is ready at once, as poll(2) has it",
  async (t, { loop, poller: kind }) => {
    const fd = openSync("/dev/null", "r")
    t.teardown(() => closeSync(fd))
    const poller = new Poller(loop)
    if (kind === "interval") {
      // The interval poller watches no plain fd; a file or directory it can tell by fstat, a device not.
      t.throws(() => poller.register(fd, POLLIN), {
        name: "TypeError",
        message: /needs the IOLoop's fd poller/,
      })
      return
    }
    poller.register(fd, POLLIN | POLLOUT)
    t.same(await within(poller.poll(1000), "the device's poll"), [[fd, POLLIN | POLLOUT]])
    t.same(await within(poller.poll(0), "poll(0)"), [[fd, POLLIN | POLLOUT]], "and again")
  },
)

/** Keeps the thread busy for `ms`, as a slow callback would: Node's timers then run before its poll phase. */
function keepThreadBusy(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/** A started loop with these options, stopped and closed (after `sockets` are closed) when the test ends. */
function runningLoop(t: Test, options: IOLoopOptions, sockets: zmq.Socket[] = []): IOLoop {
  const loop = new IOLoop({ makeCurrent: false, ...options })
  const running = loop.start()
  t.teardown(async () => {
    loop.stop()
    await running
    loop.close()
    for (const socket of sockets) socket.close()
  })
  return loop
}

// pyzmq's test_poll_raw, the instance of issue 17: zmq_poll asks every item before it gives up on its
// timeout, and so must a poll whose timeout fires before libuv's poll phase has reported the fd. Plain fds
// need the fd poller (the interval poller's refusal is tested above).
t.test("a timed poll reports a ready fd even when its timeout fires first", async (t) => {
  const loop = runningLoop(t, { poller: "fd" })
  const { readFd, writeFd } = makeFifo(t)
  const poller = new Poller(loop)
  poller.register(writeFd, POLLOUT)
  const polled = poller.poll(1)
  keepThreadBusy(6)
  t.same(await within(polled, "the POLLOUT poll"), [[writeFd, POLLOUT]])

  poller.unregister(writeFd)
  poller.register(readFd, POLLIN)
  writeSync(writeFd, "now")
  t.same(
    await within(poller.poll(0), "poll(0)"),
    [[readFd, POLLIN]],
    "poll(0) sees an fd written just before",
  )
})

for (const kind of POLLERS) {
  t.test(
    `a timed poll asks every target once: a socket and an fd ready while busy (${kind} poller)`,
    async (t) => {
      // A fake clock holds the timeout back until both targets were checked once and found not ready.
      let now = 0
      const pull = new zmq.Pull()
      const push = new zmq.Push()
      const loop = runningLoop(t, { poller: kind, timeFunc: () => now }, [push, pull])
      push.connect(await bindAny(pull, "inproc"))
      const poller = new Poller(loop)
      poller.register(pull, POLLIN)
      const fifo = kind === "fd" ? makeFifo(t) : null // plain fds need the fd poller
      if (fifo !== null) poller.register(fifo.readFd, POLLIN)
      const polled = poller.poll(5)
      t.notOk(await hasSettled(polled), "checked once, nothing ready, the clock stands still")
      void push.send("arrives while the thread is busy") // inproc: in the pipe at once
      if (fifo !== null) writeSync(fifo.writeFd, "so does this")
      now += 5
      keepThreadBusy(10)
      const expected: PollEvents = [[pull, POLLIN]]
      if (fifo !== null) expected.push([fifo.readFd, POLLIN])
      t.same(await within(polled, "the timed poll"), expected, "both, in registration order")
    },
  )
}

t.test("a poll made while the loop is not running settles once it runs", async (t) => {
  const loop = new IOLoop({ makeCurrent: false })
  const pull = new zmq.Pull()
  const push = new zmq.Push()
  t.teardown(() => {
    for (const socket of [push, pull]) socket.close()
    loop.close()
  })
  push.connect(await bindAny(pull, "inproc"))
  await push.send("waiting")
  const poller = new Poller(loop)
  poller.register(pull, POLLIN)
  const now = poller.poll(0)
  const second = poller.poll(1)
  t.notOk(await hasSettled(now), "poll(0) waits for the loop")
  const running = loop.start()
  t.same(await within(now, "poll(0) on the started loop"), [[pull, POLLIN]])
  t.same(await within(second, "the second poll"), [[pull, POLLIN]], "a poll pending with it settles too")
  await pull.receive()
  loop.stop()
  await running

  // Stopped again: the timeout counts on the loop's clock and settles the poll once the loop runs.
  const timedOut = poller.poll(1)
  t.notOk(await hasSettled(timedOut))
  const again = loop.start()
  t.same(await within(timedOut, "the timed-out poll"), [])
  loop.stop()
  await again
})

t.test("bad arguments are refused with errors naming them", async (t) => {
  const loop = new IOLoop({ makeCurrent: false, poller: "interval" })
  const socket = new zmq.Pull()
  t.teardown(() => {
    socket.close()
    IOLoop.instance().close() // the one new Poller() made current
  })
  t.throws(() => new Poller({} as IOLoop), { name: "TypeError", message: "ioLoop must be an IOLoop, got {}" })
  t.equal(new Poller().ioLoop, IOLoop.current(), "the current loop by default")
  const poller = new Poller(loop)
  t.throws(() => poller.register("tcp://x" as never), {
    name: "TypeError",
    message: "target must be a zeromq.js socket or a file descriptor, got 'tcp://x'",
  })
  t.throws(() => poller.register(-1), { name: "TypeError", message: /^target must be .* got -1$/ })
  t.throws(() => poller.register(socket, "1" as never), {
    name: "TypeError",
    message: "flags must be an integer of POLLIN | POLLOUT | POLLERR bits, got '1'",
  })
  t.throws(() => poller.register(socket, 8), {
    name: "RangeError",
    message: "flags must only hold POLLIN | POLLOUT | POLLERR bits (1 | 2 | 4), got 8",
  })
  t.throws(() => poller.modify(socket, -1), { name: "RangeError" })
  // A port that kept pyzmq's zmq.POLLIN on zeromq.js's namespace passes undefined: it once polled for
  // POLLIN | POLLOUT, and a REQ client's poll then said "ready" with no reply to read.
  const portedPollin = (zmq as unknown as { POLLIN?: number }).POLLIN as never // JavaScript: TypeScript refuses it
  for (const call of [
    () => poller.register(socket, portedPollin),
    () => poller.modify(socket, portedPollin),
  ]) {
    t.throws(call, {
      name: "TypeError",
      message:
        'flags is undefined: zeromq.js has no POLLIN, POLLOUT, POLLERR (a port\'s zmq.POLLIN is undefined there); import { POLLIN, POLLOUT, POLLERR } from "@zmq-eventloop/zmqstream", or leave flags out for POLLIN | POLLOUT',
    })
  }
  t.same(poller.sockets, [], "nothing registered by a refused call")
  for (const bad of ["10", Number.NaN, Infinity, {}]) {
    t.throws(() => poller.poll(bad as number), {
      name: "TypeError",
      message: /^timeout must be a finite number of ms \(or -1, null or undefined to wait\), got /,
    })
  }
  t.throws(() => poller.poll(-2), {
    name: "RangeError",
    message: "timeout must be >= 0 ms, or -1 to wait, got -2",
  })
  poller.register(socket, POLLIN | POLLERR)
  loop.close()
  t.throws(() => poller.poll(10), { message: "IOLoop is closed" })
  t.throws(() => poller.poll(), { message: "IOLoop is closed" })
  t.throws(() => poller.register(new zmq.Push()), { message: "IOLoop is closed" })
  t.throws(() => new Poller(loop), { message: "IOLoop is closed" })
  poller.unregister(socket) // still allowed: nothing is registered with a closed loop
  t.same(poller.sockets, [])
})

t.test("a poll pending when its loop closes never settles, and leaves nothing registered", async (t) => {
  const loop = new IOLoop({ makeCurrent: false })
  const pull = new zmq.Pull()
  t.teardown(() => pull.close())
  const poller = new Poller(loop)
  poller.register(pull, POLLIN)
  const running = loop.start()
  const pending = poller.poll()
  loop.stop()
  await running
  loop.close()
  t.notOk(await hasSettled(pending))
  poller.unregister(pull)
  const other = new IOLoop({ makeCurrent: false })
  t.teardown(() => other.close())
  other.addHandler(pull, () => {}, IOLoop.READ) // the socket is free for another loop's handler
  other.removeHandler(pull)
})

loopTest("methods work detached, and a timeout past Node's 2^31-1 ms timer limit waits", async (t, ctx) => {
  const { push, pull } = await pushPull(ctx.track)
  const { register, poll, unregister } = new Poller(ctx.loop)
  register(pull, POLLIN)
  const warnings: Error[] = []
  const onWarning = (warning: Error) => warnings.push(warning)
  process.on("warning", onWarning)
  t.teardown(() => process.off("warning", onWarning))
  const polled = poll(2 ** 32)
  for (let turn = 0; turn < 5; turn++) t.notOk(await hasSettled(polled), `still waiting, turn ${turn}`)
  await push.send("x")
  t.same(await within(polled, "the long poll"), [[pull, POLLIN]])
  t.same(warnings.map(String), [], "no TimeoutOverflowWarning")
  unregister(pull)
})

const pyzmqSkip = pyzmqSkipReason()

t.test("a REQ socket polled in Node talks to a pyzmq REP server", { skip: pyzmqSkip ?? false }, async (t) => {
  const server = spawn(
    PYTHON,
    [
      "-c",
      String.raw`
import zmq
rep = zmq.Context.instance().socket(zmq.REP)
rep.linger = 2000
rep.rcvtimeo = 20000
rep.bind("tcp://127.0.0.1:*")
print(rep.last_endpoint.decode(), flush=True)
for _ in range(3):
    rep.send(b"py:" + rep.recv())
`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  )
  const exited = new Promise<number | null>((resolve) => server.once("exit", resolve))
  t.teardown(() => {
    if (server.exitCode === null) server.kill()
  })
  const endpoint = deferred<string>()
  createInterface({ input: server.stdout }).once("line", endpoint.resolve)
  const address = await endpoint.wait("the pyzmq server's endpoint", 20_000)

  const loop = new IOLoop({ makeCurrent: false })
  const client = new zmq.Request({ linger: 0 })
  t.teardown(() => client.close())
  client.connect(address)
  const replies = await loop.runSync(
    async () => {
      const poller = new Poller(loop)
      poller.register(client, POLLIN)
      const got: string[] = []
      for (const word of ["one", "two", "three"]) {
        await client.send(word)
        const events: PollEvents = await poller.poll(20_000)
        if (!(new Map(events).get(client)! & POLLIN)) throw new Error(`no reply to ${word}`)
        got.push(String(await client.receive()))
      }
      return got
    },
    { timeout: 30_000 },
  )
  loop.close()
  t.same(replies, ["py:one", "py:two", "py:three"])
  t.equal(await within(exited, "the pyzmq server's exit", 20_000), 0)
})
