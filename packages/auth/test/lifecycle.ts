// start() and stop(): binding inproc://zeromq.zap.01 in the right context, stopping and starting again in
// the same context, the bad-state errors, the defaults (zeromq.js's global context, IOLoop.current(), the
// loop's logger), and what libzmq does when no handler is bound.
import t from "tap"
import * as zmq from "zeromq"
import { IOLoop } from "@zmq-eventloop/ioloop"
import { IOLoopAuthenticator, ZAP_ENDPOINT, type CredentialsProvider } from "../src/index.js"
import { authTest, curvePair, MemoryLogger, waitFor, within } from "./helpers/auth.js"

const NULL_REQUEST = ["1.0", "1", "", "127.0.0.1", "", "NULL"]

/** One NULL request to the ZAP handler of `context`, resolving to the reply's status code. */
async function statusOf(context: zmq.Context | undefined): Promise<string> {
  const req = new zmq.Request(context ? { context } : {})
  try {
    req.connect(ZAP_ENDPOINT)
    await req.send(NULL_REQUEST)
    const [, , code] = await within(req.receive(), "the ZAP reply")
    return String(code)
  } finally {
    req.linger = 0
    req.close()
  }
}

authTest("start() binds the ZAP socket in the given context, and zapStream shows it", async (t, ctx) => {
  t.type(ctx.auth.zapStream?.socket, zmq.Router)
  t.equal(ctx.auth.zapStream?.ioLoop, ctx.loop)
  t.equal(await statusOf(ctx.context), "200")
  t.ok(ctx.logger.messages("debug").includes("Starting"))
})

authTest("start() twice, or a second handler in the same context, is refused", async (t, ctx) => {
  t.throws(() => ctx.auth.start(), new Error("IOLoopAuthenticator is already started"))
  const second = new IOLoopAuthenticator(ctx.context, ctx.loop)
  t.throws(() => second.start(), { code: "EADDRINUSE" }, "zeromq.js's error, as it is")
  t.equal(second.zapStream, null)
  t.equal(await statusOf(ctx.context), "200", "the first handler still answers")
})

authTest("stop() then start() in the same context works, again and again", async (t, ctx) => {
  for (let round = 0; round < 20; round++) {
    // A client closing while the handler stops is what once crashed libzmq (an unbind on zeromq.js's
    // worker thread while the loop polled the socket).
    t.equal(await statusOf(ctx.context), "200", `round ${round}`)
    const stopped = ctx.auth.stop()
    t.equal(ctx.auth.zapStream, null, "no stream as soon as stop() is called")
    await stopped
    ctx.auth.start()
  }
})

authTest("stop() twice gives the same promise; start() while stopping is refused", async (t, ctx) => {
  const stopping = ctx.auth.stop()
  t.equal(ctx.auth.stop(), stopping)
  t.throws(() => ctx.auth.start(), new Error("IOLoopAuthenticator is stopping: await stop() before start()"))
  await stopping
  await ctx.auth.stop()
  ctx.auth.start()
  t.equal(await statusOf(ctx.context), "200")
})

authTest("stop() works while the loop is not running", async (t, ctx) => {
  ctx.loop.stop()
  await ctx.auth.stop()
  t.equal(ctx.auth.zapStream, null)
  ctx.auth.start()
})

authTest("stop() also frees the endpoint when the ZAP socket was closed elsewhere", async (t, ctx) => {
  ctx.auth.zapStream!.socket.close()
  await ctx.auth.stop()
  ctx.auth.start()
  t.equal(await statusOf(ctx.context), "200")
  t.same(ctx.logger.messages("error"), [])
})

authTest(
  "stop() gives up with an error line when another socket takes the endpoint first",
  async (t, ctx) => {
    const stopped = ctx.auth.stop()
    const other = ctx.track(new zmq.Router({ context: ctx.context }))
    // This spins within the tick of stop(), whose probe tries only after a timer: the spin binds first.
    const until = Date.now() + 10_000
    for (;;) {
      try {
        other.bindSync(ZAP_ENDPOINT)
        break
      } catch (error) {
        if ((error as { code?: string }).code !== "EADDRINUSE" || Date.now() > until) throw error
      }
    }
    await stopped
    t.same(ctx.logger.messages("error"), [
      "inproc://zeromq.zap.01 still bound 2000 ms after stop(): another handler?",
    ])
  },
)

authTest("a decision still pending when stop() is called is dropped, not sent", async (t, ctx) => {
  let answer!: (ok: boolean) => void
  class Later implements CredentialsProvider {
    callback(): Promise<boolean> {
      return new Promise((resolve) => (answer = resolve))
    }
  }
  ctx.auth.configureCurveCallback("*", new Later())
  const pair = await curvePair(ctx, zmq.curveKeyPair(), zmq.curveKeyPair())
  await waitFor(() => answer !== undefined, "the provider to be asked")
  await ctx.auth.stop()
  t.equal(ctx.auth.zapStream, null)
  answer(true)
  await waitFor(
    () =>
      ctx.logger
        .messages("debug")
        .includes("ZAP reply dropped, the authenticator was stopped: code=200 text=OK"),
    "the dropped-reply line",
  )
  void pair.outcome.catch(() => undefined) // the handshake never ends: the client is closed at teardown
})

authTest(
  "with no handler bound, libzmq admits every CURVE client: start the handler first",
  async (t, ctx) => {
    await ctx.auth.stop()
    const { outcome } = await curvePair(ctx, zmq.curveKeyPair(), zmq.curveKeyPair())
    t.equal(await outcome, "admitted")
  },
)

t.test("by default the handler binds in zeromq.js's global context, on IOLoop.current()", async (t) => {
  const loop = new IOLoop({ makeCurrent: true, logger: new MemoryLogger() })
  const running = loop.start()
  const auth = new IOLoopAuthenticator()
  t.equal(auth.context, zmq.context)
  t.equal(auth.ioLoop, loop)
  t.equal(auth.logger, loop.logger, "the loop's logger")
  t.equal(auth.encoding, "utf8")
  auth.start()
  t.equal(await statusOf(undefined), "200", "a socket without a context reaches it")
  await auth.stop()
  loop.stop()
  await running
  loop.close()
})

t.test("a logger that throws or rejects never stops a ZAP reply", async (t) => {
  const fallback: unknown[][] = []
  const consoleError = console.error
  console.error = (...args: unknown[]) => void fallback.push(args)
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason)
  process.on("unhandledRejection", onUnhandled)
  t.teardown(() => {
    console.error = consoleError
    process.off("unhandledRejection", onUnhandled)
  })
  const fails = (how: string) => () => {
    throw new Error(`logger ${how}`)
  }
  const rejects = (how: string) => () => Promise.reject(new Error(`logger ${how}`))
  const loggers = {
    throwing: { error: fails("error"), warn: fails("warn"), info: fails("info"), debug: fails("debug") },
    async: { error: rejects("error"), warn: rejects("warn"), info: rejects("info"), debug: rejects("debug") },
  }
  for (const [kind, logger] of Object.entries(loggers)) {
    const loopLogger = new MemoryLogger()
    const loop = new IOLoop({ makeCurrent: false, logger: loopLogger })
    const running = loop.start()
    const context = new zmq.Context()
    const auth = new IOLoopAuthenticator(context, loop, { logger })
    auth.start()
    t.equal(await statusOf(context), "200", `${kind}: the NULL client is answered`)
    await auth.stop()
    loop.stop()
    await running
    loop.close()
    t.same(loopLogger.lines, [], `${kind}: nothing failed on the loop`)
  }
  const fallbackLines = fallback.map((args) => String(args[0]))
  t.ok(fallbackLines.includes("ZAP reply code=200 text=OK"), "the lines went to console.error instead")
  t.ok(fallbackLines.includes("zmq-eventloop: the logger failed while logging the line above:"))
  t.same(unhandled, [], "no unhandled rejection")
})

t.test("options.logger and options.encoding are used", async (t) => {
  const loop = new IOLoop({ makeCurrent: false })
  const running = loop.start()
  const context = new zmq.Context()
  const logger = new MemoryLogger()
  const auth = new IOLoopAuthenticator(context, loop, { logger, encoding: "latin1" })
  auth.start()
  auth.configurePlain("*", { é: "ß" })
  const req = new zmq.Request({ context })
  req.connect(ZAP_ENDPOINT)
  await req.send(["1.0", "1", "", "127.0.0.1", "", "PLAIN", Buffer.from([0xe9]), Buffer.from([0xdf])])
  const [, , code, , userId] = await within(req.receive(), "the ZAP reply")
  t.equal(String(code), "200", "latin1 credentials matched")
  t.same(userId, Buffer.from([0xe9]), "the user id is encoded in latin1 too")
  t.ok(logger.messages("debug").includes("ALLOWED (PLAIN) domain=* username=é"))
  req.linger = 0
  req.close()
  await auth.stop()
  loop.stop()
  await running
  loop.close()
})
