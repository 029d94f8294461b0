// Every public entry point of ZMQStream with bad arguments: a TypeError or RangeError at the call whose
// message starts with the argument's name; nothing is queued. One row per case.
import * as zmq from "zeromq"
import t from "tap"
import { IOLoop } from "@zmq-eventloop/ioloop"
import { SNDMORE, ZMQStream } from "../src/index.js"

type Row = [title: string, call: () => unknown, type: typeof TypeError | typeof RangeError, message: RegExp]

t.test("bad arguments to a stream are refused at the call, naming the argument", async (t) => {
  const loop = new IOLoop({ makeCurrent: false })
  const dealer = new ZMQStream(new zmq.Dealer(), loop)
  const sub = new ZMQStream(new zmq.Subscriber(), loop)
  t.teardown(() => {
    dealer.close(0)
    sub.close(0)
    loop.close()
  })
  const rows: Row[] = [
    [
      "new ZMQStream({})",
      () => new ZMQStream({} as never, loop),
      TypeError,
      /^socket must be a zeromq\.js socket/,
    ],
    [
      "new ZMQStream(s, 5)",
      () => new ZMQStream(new zmq.Pair(), 5 as never),
      TypeError,
      /^ioLoop must be an IOLoop or an options object/,
    ],
    [
      "new ZMQStream(s, { ioLoop: {} })",
      () => new ZMQStream(new zmq.Pair(), { ioLoop: {} as never }),
      TypeError,
      /^options\.ioLoop must be an IOLoop/,
    ],
    [
      "new ZMQStream(s, a loop of another copy of the ioloop package)",
      () => new ZMQStream(new zmq.Pair(), new (class IOLoop {})() as never),
      TypeError,
      /^ioLoop is an IOLoop from another copy of @zmq-eventloop\/ioloop/,
    ],
    [
      "new ZMQStream(s, { lingr: 0 })",
      () => new ZMQStream(new zmq.Pair(), { lingr: 0 } as never),
      TypeError,
      /^options\.lingr is not a ZMQStream option/,
    ],
    [
      "new ZMQStream(s, { sendQueueLimit: { maxMessages: 0 } })",
      () => new ZMQStream(new zmq.Pair(), { ioLoop: loop, sendQueueLimit: { maxMessages: 0 } }),
      RangeError,
      /^options\.sendQueueLimit\.maxMessages must be an integer >= 1 or Infinity/,
    ],
    [
      "setSendQueueLimit(10)",
      () => dealer.setSendQueueLimit(10 as never),
      TypeError,
      /^limit must be an options object/,
    ],
    [
      "setSendQueueLimit maxBytes '1k'",
      () => dealer.setSendQueueLimit({ maxBytes: "1k" as never }),
      TypeError,
      /^limit\.maxBytes must be a number/,
    ],
    [
      "setSendQueueLimit maxBytes 1.5",
      () => dealer.setSendQueueLimit({ maxBytes: 1.5 }),
      RangeError,
      /^limit\.maxBytes must be an integer >= 1 or Infinity/,
    ],
    [
      "setSendQueueLimit whenFull 'drop'",
      () => dealer.setSendQueueLimit({ whenFull: "drop" as never }),
      TypeError,
      /^limit\.whenFull must be "accept" or "refuse"/,
    ],
    [
      "setSendQueueLimit maxMsgs",
      () => dealer.setSendQueueLimit({ maxMsgs: 5 } as never),
      TypeError,
      /^limit\.maxMsgs is not a send queue limit/,
    ],
    ["onDrain(5)", () => dealer.onDrain(5 as never), TypeError, /^callback must be a function/],
    [
      "onRecv(cb, [])",
      () => dealer.onRecv(() => {}, [] as never),
      TypeError,
      /^options must be an options object/,
    ],
    [
      "onRecv(cb, { cpy })",
      () => dealer.onRecv(() => {}, { cpy: false } as never),
      TypeError,
      /^options\.cpy is not a recv option \(copy\)$/,
    ],
    [
      "onRecv copy: 1",
      () => dealer.onRecv(() => {}, { copy: 1 as never }),
      TypeError,
      /^options\.copy must be a boolean/,
    ],
    ["sendString(1)", () => dealer.sendString(1 as never), TypeError, /^text must be a string/],
    [
      "sendString encoding null",
      () => dealer.sendString("x", { encoding: null as never }),
      TypeError,
      /^options\.encoding must be a text encoding/,
    ],
    [
      "sendString encoding 'hex' (Buffer.from would decode the text)",
      () => dealer.sendString("ab", { encoding: "hex" }),
      TypeError,
      /^options\.encoding must be a text encoding \(utf8, utf16le, latin1 or ascii\), got 'hex'/,
    ],
    [
      "sendString 'é' in ascii",
      () => dealer.sendString("café", { encoding: "ascii" }),
      RangeError,
      /^text has U\+00E9 at index 3, which ascii cannot encode$/,
    ],
    [
      "sendString '☃' in latin1",
      () => dealer.sendString("☃", { encoding: "latin1" }),
      RangeError,
      /^text has U\+2603 at index 0, which latin1 cannot encode$/,
    ],
    [
      "send a string part with a lone surrogate (sent as UTF-8)",
      () => dealer.sendMultipart(["ok", "a\uDC00"]),
      RangeError,
      /^parts\[1\] holds a lone surrogate, which utf8 cannot encode$/,
    ],
    [
      "sendString a lone surrogate in utf8",
      () => dealer.sendString("a\uD800b"),
      RangeError,
      /^text holds a lone surrogate, which utf8 cannot encode$/,
    ],
    [
      "sendString encoding 'klingon'",
      () => dealer.sendString("x", { encoding: "klingon" as never }),
      TypeError,
      /^options\.encoding/,
    ],
    [
      "send flags 2**53",
      () => dealer.send("x", { flags: 2 ** 53 }),
      RangeError,
      /^options\.flags must only hold/,
    ],
    ["send options 5", () => dealer.send("x", 5 as never), TypeError, /^options must be an object/],
    [
      "send flags undefined (a port's zmq.SNDMORE on zeromq.js), which sent two messages for one",
      () => dealer.send("x", { flags: (zmq as unknown as { SNDMORE?: number }).SNDMORE }),
      TypeError,
      /^options\.flags is undefined: zeromq\.js has no SNDMORE, DONTWAIT .*import \{ SNDMORE, DONTWAIT \} from "@zmq-eventloop\/zmqstream", or leave options\.flags out for no flags$/,
    ],
    [
      "send routingId on a DEALER",
      () => dealer.send("x", { routingId: 1 }),
      TypeError,
      /^options\.routingId is not a send option of a Dealer socket/,
    ],
    [
      "send unknown option",
      () => dealer.send("x", { flag: 2 } as never),
      TypeError,
      /^options\.flag is not a send option/,
    ],
    [
      "sendPyobj protocol 1",
      () => dealer.sendPyobj(1, { protocol: 1 as never }),
      RangeError,
      /^protocol must be/,
    ],
    [
      "subscribe(null)",
      () => sub.subscribe(null as never),
      TypeError,
      /^prefixes\[0\] must be a string or Buffer/,
    ],
    ["subscribe(0)", () => sub.subscribe(0 as never), TypeError, /^prefixes\[0\] must be a string or Buffer/],
    [
      "subscribe('a', {})",
      () => sub.subscribe("a", {} as never),
      TypeError,
      /^prefixes\[1\] must be a string or Buffer/,
    ],
    ["unsubscribe(1)", () => sub.unsubscribe(1 as never), TypeError, /^prefixes\[0\]/],
    ["connect(1)", () => dealer.connect(1 as never), TypeError, /^address must be a string/],
    [
      "connect(a, 1)",
      () => dealer.connect("tcp://127.0.0.1:1", 1 as never),
      TypeError,
      /^options must be an object/,
    ],
    ["disconnect(null)", () => dealer.disconnect(null as never), TypeError, /^address must be a string/],
    ["bind(1)", () => dealer.bind(1 as never), TypeError, /^address must be a string/],
    ["unbind({})", () => dealer.unbind({} as never), TypeError, /^address must be a string/],
    [
      "setsockopt LINGER NaN",
      () => dealer.setsockopt("ZMQ_LINGER", NaN),
      TypeError,
      /^value must be an integer for ZMQ_LINGER/,
    ],
    [
      "setsockopt LINGER 0.5",
      () => dealer.setsockopt("ZMQ_LINGER", 0.5),
      TypeError,
      /^value must be an integer for ZMQ_LINGER/,
    ],
    [
      "setsockopt LINGER 2**40",
      () => dealer.setsockopt("linger", 2 ** 40),
      RangeError,
      /^value must be within/,
    ],
    [
      "setsockopt IMMEDIATE 'yes'",
      () => dealer.setsockopt("IMMEDIATE", "yes" as never),
      TypeError,
      /^value must be a boolean/,
    ],
    [
      "setsockopt ROUTING_ID 5",
      () => dealer.setsockopt("ROUTING_ID", 5 as never),
      TypeError,
      /^value must be a string, Buffer or null/,
    ],
    [
      "setsockopt unknown",
      // @ts-expect-error an unknown option name does not compile; JavaScript gets the TypeError
      () => dealer.setsockopt("ZMQ_NOPE", 1),
      TypeError,
      /^option must be a zmq option number or name/,
    ],
    [
      "setsockopt RCVTIMEO",
      () => dealer.setsockopt("RCVTIMEO", 5),
      TypeError,
      /^option ZMQ_RCVTIMEO belongs to the stream/,
    ],
    [
      "getsockopt({})",
      () => dealer.getsockopt({} as never),
      TypeError,
      /^option must be a zmq option number or name/,
    ],
    [
      "flush(2**53)",
      () => dealer.flush(2 ** 53),
      RangeError,
      /^flag must only hold POLLIN \| POLLOUT \| POLLERR bits/,
    ],
    ["flush('1')", () => dealer.flush("1" as never), TypeError, /^flag must be an integer/],
    [
      "flush(undefined) (a port's zmq.POLLIN on zeromq.js)",
      () => dealer.flush((zmq as unknown as { POLLIN?: number }).POLLIN as never), // JavaScript: TypeScript refuses it
      TypeError,
      /^flag is undefined: zeromq\.js has no POLLIN, POLLOUT, POLLERR/,
    ],
    ["flush(1, -1)", () => dealer.flush(1, -1), TypeError, /^limit must be null or an integer/],
    ["close('x')", () => dealer.close("x" as never), TypeError, /^linger must be an integer >= -1/],
    ["close(-2)", () => dealer.close(-2), TypeError, /^linger must be an integer >= -1/],
  ]
  for (const [title, call, type, message] of rows) {
    t.throws(call, { name: type.name, message }, title)
  }
  for (const [title, args, type, message] of [
    ["bindToRandomPort(1)", [1], TypeError, /^addr must be a string/],
    [
      "bindToRandomPort ipc",
      ["ipc:///tmp/zmq-eventloop-no-port"],
      RangeError,
      /^addr must be an address with ports \(tcp:\/\/host\), got 'ipc:\/\/\/tmp\/zmq-eventloop-no-port'$/,
    ],
    ["bindToRandomPort inproc", ["inproc://x"], RangeError, /^addr must be an address with ports/],
    ["bindToRandomPort min 0", ["tcp://127.0.0.1", 0], RangeError, /^min and max must satisfy/],
    [
      "bindToRandomPort tries 0.5",
      ["tcp://127.0.0.1", 50000, 50010, 0.5],
      TypeError,
      /^tries must be an integer/,
    ],
  ] as const) {
    await t.rejects(
      dealer.bindToRandomPort(...(args as unknown as [string])),
      { name: type.name, message },
      title,
    )
  }
  dealer.send("held", { flags: SNDMORE })
  t.notOk(dealer.sending(), "nothing was queued by a bad call (nor by a part held with SNDMORE)")
  t.same(
    dealer.sendQueueLimit,
    { maxMessages: Infinity, maxBytes: Infinity, whenFull: "accept" },
    "nor limited",
  )
  t.notOk(dealer.closed(), "the stream is still open")
})
