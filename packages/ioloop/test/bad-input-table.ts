// Every public entry point of the ioloop package with bad arguments: a TypeError or RangeError at the
// call whose message starts with the argument's name (a promise-returning API rejects with it). One row
// per case: [what is called, the call, the error class, the start of the message].
import t from "tap"
import * as zmq from "zeromq"
import { DelayedCallback, IOLoop, PeriodicCallback, READ } from "../src/index.js"
import { newLoop } from "./helpers/loop.js"

type Row = [title: string, call: () => unknown, type: typeof TypeError | typeof RangeError, message: RegExp]

t.test("bad arguments are refused at the call, naming the argument", async (t) => {
  const loop = newLoop(t)
  const socket = new zmq.Dealer()
  t.teardown(() => socket.close())
  const noop = () => {}
  const rows: Row[] = [
    ["new IOLoop([])", () => new IOLoop([] as never), TypeError, /^options must be an options object/],
    ["new IOLoop(null)", () => new IOLoop(null as never), TypeError, /^options must be an options object/],
    ["new IOLoop('x')", () => new IOLoop("x" as never), TypeError, /^options must be an options object/],
    [
      "new IOLoop({ timefunc })",
      () => new IOLoop({ timefunc: () => 0 } as never),
      TypeError,
      /^options\.timefunc is not an IOLoop option \(makeCurrent, timeFunc, logger, loggerStyle, poller\)$/,
    ],
    [
      "new IOLoop({ make_current })",
      () => new IOLoop({ make_current: false } as never),
      TypeError,
      /^options\.make_current is not an IOLoop option/,
    ],
    [
      "makeCurrent: 1",
      () => new IOLoop({ makeCurrent: 1 as never }),
      TypeError,
      /^options\.makeCurrent must be a boolean/,
    ],
    [
      "makeCurrent: 'yes'",
      () => new IOLoop({ makeCurrent: "yes" as never }),
      TypeError,
      /^options\.makeCurrent/,
    ],
    [
      "logger: {}",
      () => new IOLoop({ makeCurrent: false, logger: {} as never }),
      TypeError,
      /^options\.logger must be a logger/,
    ],
    [
      "logger: 'console'",
      () => new IOLoop({ makeCurrent: false, logger: "console" as never }),
      TypeError,
      /^options\.logger/,
    ],
    [
      "timeFunc: 1",
      () => new IOLoop({ makeCurrent: false, timeFunc: 1 as never }),
      TypeError,
      /^options\.timeFunc must be a function/,
    ],
    [
      "poller: 'epoll'",
      () => new IOLoop({ makeCurrent: false, poller: "epoll" as never }),
      TypeError,
      /^options\.poller must be/,
    ],
    [
      "addHandler(2**53)",
      () => loop.addHandler(2 ** 53, noop, READ),
      TypeError,
      /^target must be a zeromq socket or a file descriptor/,
    ],
    ["addHandler(-1)", () => loop.addHandler(-1, noop, READ), TypeError, /^target must be/],
    ["addHandler({})", () => loop.addHandler({} as never, noop, READ), TypeError, /^target must be/],
    [
      "addHandler(socket, 1)",
      () => loop.addHandler(socket, 1 as never, READ),
      TypeError,
      /^handler must be a function/,
    ],
    [
      "addHandler events 2**53",
      () => loop.addHandler(socket, noop, 2 ** 53),
      RangeError,
      /^events must only hold READ \| WRITE \| ERROR bits/,
    ],
    [
      "addHandler events 0x20",
      () => loop.addHandler(socket, noop, 0x20),
      RangeError,
      /^events must only hold/,
    ],
    ["addHandler events -1", () => loop.addHandler(socket, noop, -1), RangeError, /^events must only hold/],
    [
      "addHandler events '1'",
      () => loop.addHandler(socket, noop, "1" as never),
      TypeError,
      /^events must be an integer/,
    ],
    ["updateHandler(null)", () => loop.updateHandler(null as never, READ), TypeError, /^target must be/],
    ["updateHandler('x')", () => loop.updateHandler("x" as never, READ), TypeError, /^target must be/],
    [
      "updateHandler events 2**53",
      () => loop.updateHandler(socket, 2 ** 53),
      RangeError,
      /^events must only hold/,
    ],
    ["removeHandler(undefined)", () => loop.removeHandler(undefined as never), TypeError, /^target must be/],
    [
      "addTimeout('1')",
      () => loop.addTimeout("1" as never, noop),
      TypeError,
      /^deadline must be a finite number/,
    ],
    ["addTimeout cb", () => loop.addTimeout(1, null as never), TypeError, /^callback must be a function/],
    ["callAt(NaN)", () => loop.callAt(NaN, noop), TypeError, /^when must be a finite number/],
    [
      "callLater(Infinity)",
      () => loop.callLater(Infinity, noop),
      TypeError,
      /^delay must be a finite number/,
    ],
    ["removeTimeout({})", () => loop.removeTimeout({} as never), TypeError, /^timeout must be a Timeout/],
    ["removeTimeout(null)", () => loop.removeTimeout(null as never), TypeError, /^timeout must be a Timeout/],
    ["addCallback(1)", () => loop.addCallback(1 as never), TypeError, /^callback must be a function/],
    ["spawnCallback(1)", () => loop.spawnCallback(1 as never), TypeError, /^callback must be a function/],
    [
      "addCallbackFromSignal(1)",
      () => loop.addCallbackFromSignal(1 as never),
      TypeError,
      /^callback must be a function/,
    ],
    ["addPromise(1)", () => loop.addPromise(1 as never, noop), TypeError, /^promise must be a promise/],
    [
      "addPromise cb",
      () => loop.addPromise(Promise.resolve(), 1 as never),
      TypeError,
      /^callback must be a function/,
    ],
    ["close('str')", () => loop.close("str" as never), TypeError, /^allFds must be a boolean/],
    ["setBlockingLogThreshold(-1)", () => loop.setBlockingLogThreshold(-1), RangeError, /^ms must be >= 0/],
    [
      "setBlockingLogThreshold('5')",
      () => loop.setBlockingLogThreshold("5" as never),
      TypeError,
      /^ms must be a finite number/,
    ],
    [
      "PeriodicCallback cb",
      () => new PeriodicCallback(1 as never, 10),
      TypeError,
      /^callback must be a function/,
    ],
    [
      "PeriodicCallback period 0",
      () => new PeriodicCallback(noop, 0),
      RangeError,
      /^callbackTime must be positive/,
    ],
    [
      "PeriodicCallback period '5'",
      () => new PeriodicCallback(noop, "5" as never),
      TypeError,
      /^callbackTime must be a finite number/,
    ],
    [
      "PeriodicCallback options 5",
      () => new PeriodicCallback(noop, 10, null, 5 as never),
      TypeError,
      /^options must be an options object/,
    ],
    [
      "PeriodicCallback options { jiter }",
      () => new PeriodicCallback(noop, 10, null, { jiter: 0.1 } as never),
      TypeError,
      /^options\.jiter is not a PeriodicCallback option \(jitter\)$/,
    ],
    [
      "PeriodicCallback options []",
      () => new PeriodicCallback(noop, 10, null, [] as never),
      TypeError,
      /^options must be an options object/,
    ],
    [
      "PeriodicCallback jitter null",
      () => new PeriodicCallback(noop, 10, null, { jitter: null as never }),
      TypeError,
      /^options\.jitter must be a finite number/,
    ],
    [
      "PeriodicCallback jitter 2",
      () => new PeriodicCallback(noop, 10, null, { jitter: 2 }),
      RangeError,
      /^options\.jitter must be within/,
    ],
    [
      "PeriodicCallback loop {}",
      () => new PeriodicCallback(noop, 10, {} as never),
      TypeError,
      /^ioLoop must be an IOLoop/,
    ],
    [
      "DelayedCallback cb",
      () => new DelayedCallback("x" as never, 10),
      TypeError,
      /^callback must be a function/,
    ],
    [
      "DelayedCallback delay -1",
      () => new DelayedCallback(noop, -1),
      RangeError,
      /^callbackTime must not be negative/,
    ],
    [
      "DelayedCallback loop 1",
      () => new DelayedCallback(noop, 1, 1 as never),
      TypeError,
      /^ioLoop must be an IOLoop/,
    ],
  ]
  for (const [title, call, type, message] of rows) {
    t.throws(call, { name: type.name, message }, title)
  }
  for (const [title, options, type, message] of [
    ["runSync(fn, 5)", 5, TypeError, /^options must be an options object/],
    ["runSync(fn, null)", null, TypeError, /^options must be an options object/],
    [
      "runSync(fn, { timeOut })",
      { timeOut: 5 },
      TypeError,
      /^options\.timeOut is not a runSync option \(timeout\)$/,
    ],
    ["runSync timeout -1", { timeout: -1 }, RangeError, /^options\.timeout must be >= 0/],
    ["runSync timeout '1'", { timeout: "1" }, TypeError, /^options\.timeout must be a finite number/],
  ] as const) {
    await t.rejects(loop.runSync(noop, options as never), { name: type.name, message }, title)
  }
  t.notOk(loop.running(), "no bad call started the loop")
})
