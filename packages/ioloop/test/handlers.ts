import t from "tap"
import { setTimeout as idleFor } from "node:timers/promises"
import { closeSync, fstatSync, openSync, readSync, writeSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as zmq from "zeromq"
import { ERROR, IOLoop, NONE, READ, WRITE } from "../src/index.js"
import { makeFifo } from "./helpers/fifo.js"
import { forEachPoller, newLoop, runUntilStopped } from "./helpers/loop.js"
import { socketPair } from "./helpers/sockets.js"

t.test("a REP handler answers a REQ on the loop", async (t) => {
  // pyzmq's examples/eventloop/echo.py, on both pollers
  forEachPoller(t, async (t, poller) => {
    const loop = newLoop(t, { poller })
    const [rep, req] = await socketPair(t, new zmq.Reply(), new zmq.Request())
    loop.addHandler(
      rep,
      async (socket, events) => {
        t.equal(events, READ)
        const [request] = await socket.receive()
        await socket.send(`echo ${request}`)
      },
      READ,
    )
    let reply = ""
    loop.addCallback(async () => {
      await req.send("hello")
      reply = String(await req.receive())
      loop.stop()
    })
    await runUntilStopped(loop)
    t.equal(reply, "echo hello")
  })
})

t.test("handlers get exactly the registered events that hold, as on a REQ/REP pair", async (t) => {
  // pyzmq test_ioloop.test_poller_events, through addHandler/updateHandler
  forEachPoller(t, async (t, poller) => {
    const loop = newLoop(t, { poller })
    const [rep, req] = await socketPair(t, new zmq.Reply(), new zmq.Request())
    const seen = new Map<zmq.Socket, number[]>([
      [req, []],
      [rep, []],
    ])
    // what runs after the next report of a socket: each step waits for an event, never for a time
    const next = new Map<zmq.Socket, () => void>()
    const record = (socket: zmq.Socket, events: number) => {
      seen.get(socket)!.push(events)
      loop.updateHandler(socket, NONE) // one report is enough for this test
      const then = next.get(socket)
      next.delete(socket)
      then?.()
    }
    // absence can only be asserted after some time: a few poll turns in which nothing was reported
    const afterSomeTurns = (then: () => void) => loop.callLater(30, then)
    loop.addHandler(req, record, READ)
    loop.addHandler(rep, record, READ)
    afterSomeTurns(() => {
      t.same(seen.get(req), [], "REQ: nothing to read")
      t.same(seen.get(rep), [], "REP: nothing to read")
      next.set(req, () =>
        afterSomeTurns(() => {
          t.same(seen.get(req), [WRITE], "REQ may send")
          t.same(seen.get(rep), [], "REP may not send before a request")
          next.set(rep, () => {
            t.same(seen.get(rep), [READ], "REP has the request")
            t.same(seen.get(req), [WRITE], "REQ waits for the reply")
            loop.stop()
          })
          loop.updateHandler(rep, READ)
          void req.send("hi")
        }),
      )
      loop.updateHandler(req, WRITE)
      loop.updateHandler(rep, WRITE)
    })
    await runUntilStopped(loop)
  })
})

t.test("a handler is called again while its socket stays readable (level-triggered)", async (t) => {
  forEachPoller(t, async (t, poller) => {
    const loop = newLoop(t, { poller })
    const [pull, push] = await socketPair(t, new zmq.Pull(), new zmq.Push())
    const count = 50
    for (let i = 0; i < count; i++) await push.send(String(i))
    const received: string[] = []
    let calls = 0
    loop.addHandler(
      pull,
      async (socket) => {
        calls++
        received.push(String(await socket.receive())) // one message per call
        if (received.length === count) loop.stop()
      },
      READ,
    )
    await runUntilStopped(loop)
    t.same(
      received,
      Array.from({ length: count }, (_, i) => String(i)),
    )
    t.ok(calls >= count, `called ${calls} times`)
  })
})

t.test("messages queued before addHandler are reported without any new signal", async (t) => {
  forEachPoller(t, async (t, poller) => {
    const loop = newLoop(t, { poller })
    const [pull, push] = await socketPair(t, new zmq.Pull(), new zmq.Push())
    await push.send("early")
    while (!pull.readable) await new Promise((resolve) => setImmediate(resolve)) // message in the queue
    let got = ""
    loop.addHandler(
      pull,
      async (socket) => {
        got = String(await socket.receive())
        loop.stop()
      },
      READ,
    )
    await runUntilStopped(loop)
    t.equal(got, "early")
  })
})

t.test("a socket readable and writable reports both when both are registered", async (t) => {
  // the converse of tornado test_read_while_writeable (below): both asked for, both reported
  forEachPoller(t, async (t, poller) => {
    const loop = newLoop(t, { poller })
    const [router, dealer] = await socketPair(t, new zmq.Router(), new zmq.Dealer())
    await dealer.send("ping")
    const [id] = await router.receive()
    await router.send([id!, "pong"])
    while (!dealer.readable) await new Promise((resolve) => setImmediate(resolve)) // the reply is queued
    let events = 0
    loop.addHandler(
      dealer,
      (_socket, reported) => {
        events = reported
        loop.stop()
      },
      READ | WRITE,
    )
    await runUntilStopped(loop)
    t.equal(events, READ | WRITE)
  })
})

t.test("a handler registered for READ gets READ alone while its socket is also writable", async (t) => {
  // tornado test_read_while_writeable: no WRITE report that was not asked for
  forEachPoller(t, async (t, poller) => {
    const loop = newLoop(t, { poller })
    const [a, b] = await socketPair(t, new zmq.Pair(), new zmq.Pair())
    const reported: number[] = []
    loop.addHandler(
      a,
      (_socket, events) => {
        reported.push(events)
        loop.stop()
      },
      READ,
    )
    loop.callLater(10, () => void b.send("asdf"))
    await runUntilStopped(loop)
    t.equal(a.writable, true, "the socket could send all along")
    t.ok(reported.length > 0, "the handler was called")
    t.ok(
      reported.every((events) => events === READ),
      `READ alone each time: ${reported.join(",")}`,
    )
  })
})

t.test("the handler receives the very target it registered: the socket, or the fd number", async (t) => {
  // tornado test_handler_callback_file_object (a socket object, then its fileno)
  const loop = newLoop(t, { poller: "fd" })
  const [pull, push] = await socketPair(t, new zmq.Pull(), new zmq.Push())
  const { readFd, writeFd } = makeFifo(t)
  const targets: unknown[] = []
  loop.addHandler(
    pull,
    async (socket) => {
      targets.push(socket)
      await socket.receive()
      loop.removeHandler(pull)
      writeSync(writeFd, "x")
    },
    READ,
  )
  loop.addHandler(
    readFd,
    (fd) => {
      targets.push(fd)
      readSync(fd, Buffer.alloc(8))
      loop.stop()
    },
    READ,
  )
  await push.send("x")
  await runUntilStopped(loop)
  t.equal(targets[0], pull)
  t.equal(targets[1], readFd)
})

t.test("WRITE is reported again once a full high-water mark drains", async (t) => {
  forEachPoller(t, async (t, poller) => {
    const loop = newLoop(t, { poller })
    // inproc: no I/O thread buffers messages beyond the two high-water marks
    const push = new zmq.Push({ sendHighWaterMark: 5, sendTimeout: 0 })
    const pull = new zmq.Pull({ receiveHighWaterMark: 5 })
    await socketPair(t, pull, push, `inproc://hwm-${poller}`)
    let sent = 0
    for (;;) {
      try {
        await push.send("x")
        sent++
      } catch (error) {
        t.equal((error as { code?: string }).code, "EAGAIN")
        break
      }
    }
    let writableAfter = -1
    let received = 0
    loop.addHandler(
      push,
      (_socket, events) => {
        t.ok(events & WRITE)
        writableAfter = received
        loop.stop()
      },
      WRITE,
    )
    // the peer starts reading only later: no WRITE may be reported before that
    loop.callLater(30, async () => {
      while (received < sent) {
        await pull.receive()
        received++
      }
    })
    await runUntilStopped(loop)
    t.ok(writableAfter > 0, `WRITE reported after the peer read ${writableAfter} of ${sent} messages`)
  })
})

t.test(
  "addHandler twice on one target throws; removeHandler of an unknown target does nothing",
  async (t) => {
    // tornado test_multiple_add / test_remove_without_add
    const loop = newLoop(t)
    const [pull] = await socketPair(t, new zmq.Pull(), new zmq.Push())
    loop.addHandler(pull, () => {}, READ)
    t.throws(() => loop.addHandler(pull, () => {}, READ), { message: /already registered/ })
    loop.removeHandler(pull)
    loop.removeHandler(pull)
    loop.removeHandler(12345)
    t.throws(() => loop.updateHandler(pull, READ), { message: /not registered/ })
    loop.addHandler(pull, () => {}, READ)
    t.pass("re-adding after remove works")
  },
)

t.test(
  "the handlers of sockets found ready in one wake-up run before what the first one queued",
  async (t) => {
    // tornado runs the handlers of every target one poll returned, then the callbacks they queued; an
    // iteration per ready socket ran the first handler's callback and timeout before the second handler
    forEachPoller(t, async (t, poller) => {
      const loop = newLoop(t, { poller })
      // inproc: a send is in the peer's pipe when it returns (over tcp, one connection could still be in
      // its handshake while the other delivers)
      const [a1, a2] = await socketPair(t, new zmq.Pair(), new zmq.Pair(), `inproc://one-wake-up-a-${poller}`)
      const [b1, b2] = await socketPair(t, new zmq.Pair(), new zmq.Pair(), `inproc://one-wake-up-b-${poller}`)
      const order: string[] = []
      for (const [socket, name] of [
        [a1, "a"],
        [b1, "b"],
      ] as const) {
        loop.addHandler(
          socket,
          () => {
            order.push(`handler ${name}`)
            loop.addCallback(() => order.push(`callback of ${name}`))
            loop.callLater(0, () => {
              if (order.push(`timeout of ${name}`) === 6) loop.stop()
            })
            return socket.receive()
          },
          READ,
        )
      }
      loop.addCallback(() =>
        // Both become readable outside the loop, while it waits (from inside an iteration, a send may let the
        // loop find them there): its poller then finds them in one wake-up.
        setImmediate(() => {
          void a2.send("a")
          void b2.send("b")
        }),
      )
      await runUntilStopped(loop)
      const [first, second] = order.slice(0, 2).map((event) => event.slice(-1))
      t.same(
        order,
        [
          `handler ${first}`,
          `handler ${second}`,
          `callback of ${first}`,
          `callback of ${second}`,
          `timeout of ${first}`,
          `timeout of ${second}`,
        ],
        "both handlers, then their callbacks, then their timeouts",
      )
      t.not(first, second)
    })
  },
)

t.test("a socket also registered on another loop: each loop hears of the calls made on it", async (t) => {
  // Each loop's registration stands alone, as tornado's selectors do: the other loop registering the socket
  // (and removing it again) took this loop's notice of calls, so a `readable` read that swallowed libzmq's
  // edge left the message unseen on the fd poller
  forEachPoller(t, async (t, poller) => {
    for (const other of ["kept", "removed"] as const) {
      const loop = newLoop(t, { poller })
      const otherLoop = newLoop(t, { poller })
      const [pull, push] = await socketPair(
        t,
        new zmq.Pull(),
        new zmq.Push(),
        `inproc://two-loops-${poller}-${other}`,
      )
      let got = ""
      loop.addHandler(
        pull,
        async () => {
          got = String(await pull.receive())
          loop.stop()
        },
        READ,
      )
      otherLoop.addHandler(pull, () => {}, NONE)
      if (other === "removed") otherLoop.removeHandler(pull)
      // Two iterations in: the first one checks the newly registered socket whatever happened.
      loop.addCallback(() =>
        loop.addCallback(() => {
          void push.send("m")
          t.equal(pull.readable, true, "readable: this read takes the edge the message made")
        }),
      )
      await runUntilStopped(loop)
      t.equal(got, "m", `the other loop's registration ${other}: the message arrived`)
    }
  })
})

t.test("a handler removed by another handler of the same iteration is not called", async (t) => {
  // tornado test_remove_handler_from_handler
  forEachPoller(t, async (t, poller) => {
    const loop = newLoop(t, { poller })
    const [a1, a2] = await socketPair(t, new zmq.Pair(), new zmq.Pair())
    const [b1, b2] = await socketPair(t, new zmq.Pair(), new zmq.Pair())
    await a2.send("a")
    await b2.send("b")
    while (!a1.readable || !b1.readable) await new Promise((resolve) => setImmediate(resolve))
    const called: string[] = []
    loop.addHandler(
      a1,
      () => {
        called.push("a")
        loop.removeHandler(b1)
        loop.removeHandler(a1)
      },
      READ,
    )
    loop.addHandler(
      b1,
      () => {
        called.push("b")
        loop.removeHandler(a1)
        loop.removeHandler(b1)
      },
      READ,
    )
    // both are readable, so one handler runs; the test ends a few turns after it
    loop.addCallback(function stopAfterFirstCall() {
      if (called.length > 0) loop.callLater(30, () => loop.stop())
      else loop.callLater(1, stopAfterFirstCall)
    })
    await runUntilStopped(loop)
    t.equal(called.length, 1, `only one handler ran: ${called.join(",")}`)
  })
})

t.test("a socket closed behind the loop's back reports ERROR, then is unregistered", async (t) => {
  forEachPoller(t, async (t, poller) => {
    const loop = newLoop(t, { poller })
    const dealer = new zmq.Dealer()
    const reports: number[] = []
    loop.addHandler(
      dealer,
      (_socket, events) => {
        reports.push(events)
        loop.callLater(20, () => loop.stop())
      },
      READ,
    )
    loop.callLater(5, () => dealer.close())
    await runUntilStopped(loop)
    t.same(reports, [ERROR])
    loop.removeHandler(dealer)
  })
})

t.test("close(true) closes the registered sockets and file descriptors", async (t) => {
  // tornado test_close_file_object; pyzmq test_ioloop test_close_all (a REQ/REP pair)
  const loop = new IOLoop({ makeCurrent: false, poller: "fd" })
  const [rep, req] = await socketPair(t, new zmq.Reply(), new zmq.Request())
  const { readFd, writeFd } = makeFifo(t, { closesEnds: true })
  t.teardown(() => closeSync(writeFd))
  loop.addHandler(req, () => {}, READ)
  loop.addHandler(rep, () => {}, READ)
  loop.addHandler(readFd, () => {}, READ)
  t.same([req.closed, rep.closed], [false, false])
  loop.close(true)
  t.same([req.closed, rep.closed], [true, true])
  t.throws(() => fstatSync(readFd), { code: "EBADF" }, "the fd is closed")
  t.doesNotThrow(() => fstatSync(writeFd), "an fd that was not registered stays open")
  const kept = new zmq.Dealer()
  t.teardown(() => kept.close())
  const other = new IOLoop({ makeCurrent: false })
  other.addHandler(kept, () => {}, READ)
  other.close()
  t.equal(kept.closed, false, "close() without allFds leaves them open")
})

t.test("a send made outside the loop does not hide a socket's readiness from its handler", async (t) => {
  // zeromq.js reads ZMQ_EVENTS in send/receive/readable, consuming the ZMQ_FD edge; the loop must re-check
  forEachPoller(t, async (t, poller) => {
    const loop = newLoop(t, { poller })
    const [pull, push] = await socketPair(t, new zmq.Pull(), new zmq.Push())
    let handled = 0
    loop.addHandler(
      pull,
      async (socket) => {
        await socket.receive()
        if (++handled === 3) loop.stop()
      },
      READ,
    )
    loop.callLater(5, () => {
      setTimeout(async () => {
        for (let i = 0; i < 3; i++) {
          await push.send(String(i))
          // reading `readable` eats the edge (until the handler has taken the message)
          while (!pull.readable && handled <= i) await new Promise((resolve) => setImmediate(resolve))
        }
      }, 1)
    })
    await runUntilStopped(loop)
    t.equal(handled, 3)
  })
})

t.test("a plain file descriptor is watched on the fd poller", async (t) => {
  // tornado test_handler_callback_file_object, with a FIFO's fds
  const { readFd, writeFd } = makeFifo(t)
  const loop = newLoop(t, { poller: "fd" })
  const chunks: string[] = []
  loop.addHandler(
    readFd,
    (fd, events) => {
      t.equal(events, READ)
      const buffer = Buffer.alloc(64)
      chunks.push(buffer.toString("utf8", 0, readSync(fd, buffer)))
      loop.stop()
    },
    READ,
  )
  loop.callLater(5, () => writeSync(writeFd, "data"))
  await runUntilStopped(loop)
  t.same(chunks, ["data"])

  const interval = newLoop(t, { poller: "interval" })
  t.throws(() => interval.addHandler(readFd, () => {}, READ), {
    name: "TypeError",
    message: /plain file descriptors need the fd poller/,
  })
})

t.test(
  "a hang-up is ERROR, beside READ while data is left, as tornado's epoll loop reports it",
  async (t) => {
    // tornado's IOLoop.ERROR is EPOLLERR | EPOLLHUP; pyzmq's zmq_poll reports a hang-up as POLLERR
    const { readFd, writeFd } = makeFifo(t, { closesEnds: true })
    t.teardown(() => closeSync(readFd))
    const loop = newLoop(t, { poller: "fd" })
    const seen: number[] = []
    loop.addHandler(
      readFd,
      (fd, events) => {
        seen.push(events)
        if (events & READ) readSync(fd, Buffer.alloc(64))
        else loop.stop() // at end of file: ERROR alone, level-triggered until the handler goes
      },
      READ,
    )
    writeSync(writeFd, "data")
    closeSync(writeFd)
    await runUntilStopped(loop)
    t.same(seen, [READ | ERROR, ERROR], "the data with the hang-up, then the hang-up alone (not READ)")
  },
)

t.test("a regular file's fd is refused at the call with a TypeError that says why", async (t) => {
  // epoll refuses a regular file (EPERM): tornado's epoll loop raises that OSError as it is
  const fd = openSync(fileURLToPath(import.meta.url), "r")
  t.teardown(() => closeSync(fd))
  const loop = newLoop(t, { poller: "fd" })
  t.throws(() => loop.addHandler(fd, () => {}, READ), {
    name: "TypeError",
    message: `target: fd ${fd} cannot be watched: epoll refuses it (EPERM), as a regular file, a directory or a device without poll support (/dev/null), which is always ready: read or write it directly`,
    cause: { code: "EPERM" },
  })
  t.throws(() => loop.addHandler(fd, () => {}, READ), { name: "TypeError" }, "and no entry was left behind")
})

t.test("an idle loop with 100 registered sockets does not wake on the fd poller", async (t) => {
  // Each iteration reads the clock: counting those reads counts the loop's wake-ups.
  let clockReads = 0
  const loop = newLoop(t, {
    poller: "fd",
    timeFunc: () => {
      clockReads++
      return performance.now()
    },
  })
  const sockets = Array.from({ length: 100 }, () => new zmq.Pull())
  t.teardown(() => sockets.forEach((socket) => socket.close()))
  let handlerCalls = 0
  for (const socket of sockets) {
    await socket.bind("inproc://idle-" + Math.random().toString(36).slice(2))
    loop.addHandler(socket, () => void handlerCalls++, READ)
  }
  const running = loop.start()
  await new Promise<void>((resolve) => loop.addCallback(resolve)) // the first check of every socket
  const readsAtStart = clockReads
  // An idle window measured outside the loop (not a wait for an event): the loop must sleep through it.
  await idleFor(300)
  const wakeUps = clockReads - readsAtStart
  loop.stop()
  await running
  t.equal(handlerCalls, 0, "no handler ran for sockets with nothing to read")
  t.ok(wakeUps < 10, `the loop woke ${wakeUps} times in 300 ms with 100 idle sockets`)
})
