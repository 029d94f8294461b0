// The logger contract: checked at the constructor; called in the convention it understands, so an Error
// keeps its stack with console-style and with object-first loggers (real pino here); and the error path
// itself never throws out of the loop, whatever the logger or handleCallbackException override does.
import t, { type Test } from "tap"
import { spawnSync } from "node:child_process"
import { Writable } from "node:stream"
import { fileURLToPath } from "node:url"
import { pino } from "pino"
import { IOLoop, type Logger } from "../src/index.js"
import { MemoryLogger, newLoop, runUntilStopped } from "./helpers/loop.js"
import { CHILD_NODE } from "./helpers/child-node.js"

t.test("a logger without error/warn/info/debug methods is a TypeError at the constructor", async (t) => {
  for (const bad of [{}, { error() {} }, null, "console", 42, () => {}]) {
    t.throws(() => new IOLoop({ makeCurrent: false, logger: bad as unknown as Logger }), {
      name: "TypeError",
      message: /^options\.logger must be a logger with error, warn, info and debug methods/,
    })
  }
  t.throws(() => new IOLoop({ makeCurrent: false, loggerStyle: "json" as never }), {
    name: "TypeError",
    message: /^options\.loggerStyle must be "console" or "object-first"/,
  })
})

/** Replaces console.error for the test, keeping what it was given. */
function captureConsoleError(t: Test): unknown[][] {
  const lines: unknown[][] = []
  const original = console.error
  console.error = (...args: unknown[]) => void lines.push(args)
  t.teardown(() => {
    console.error = original
  })
  return lines
}

t.test("a logger whose error() throws: the line goes to console.error and the loop carries on", async (t) => {
  const fallback = captureConsoleError(t)
  const broken = new MemoryLogger()
  broken.error = () => {
    throw new Error("logger down")
  }
  const loop = newLoop(t, { logger: broken })
  const ran: string[] = []
  loop.addCallback(function failing() {
    throw new Error("user error")
  })
  loop.addCallback(async function rejecting() {
    throw new Error("async user error")
  })
  loop.callLater(5, () => {
    ran.push("later")
    loop.stop()
  })
  await runUntilStopped(loop)
  t.same(ran, ["later"], "the loop ran on and stopped")
  const texts = fallback.map((args) => String(args[0]))
  t.ok(texts.includes("Exception in callback failing()"), "the thrown error reached console.error")
  t.ok(texts.includes("Exception in callback rejecting()"), "the rejection reached console.error")
  t.ok(fallback.some((args) => (args[1] as Error | undefined)?.message === "logger down"))
})

/** Collects unhandled rejections for the test. */
function captureUnhandled(t: Test): unknown[] {
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason)
  process.on("unhandledRejection", onUnhandled)
  t.teardown(() => void process.off("unhandledRejection", onUnhandled))
  return unhandled
}

t.test(
  "an async logger whose promise rejects: the line goes to console.error, nothing unhandled",
  async (t) => {
    const fallback = captureConsoleError(t)
    const unhandled = captureUnhandled(t)
    const broken = new MemoryLogger()
    broken.error = () => Promise.reject(new Error("logger down")) as unknown as void
    broken.warn = () =>
      ({
        then: () => {
          throw new Error("then() down")
        },
      }) as unknown as void
    const loop = newLoop(t, { logger: broken })
    // A deadline decades ahead (Date.now() given where time() was meant) is warned about.
    loop.removeTimeout(loop.callAt(loop.time() + Date.now(), () => {}))
    loop.addCallback(function failing() {
      throw new Error("user error")
    })
    loop.callLater(5, () => loop.stop())
    await runUntilStopped(loop)
    const texts = fallback.map((args) => String(args[0]))
    t.ok(texts.includes("Exception in callback failing()"), "the error's line reached console.error")
    t.ok(fallback.some((args) => (args[1] as Error | undefined)?.message === "logger down"))
    t.ok(
      texts.some((text) => text.startsWith("IOLoop.callAt: the deadline is")),
      "the warning's line too",
    )
    t.ok(fallback.some((args) => (args[1] as Error | undefined)?.message === "then() down"))
    t.same(unhandled, [], "no unhandled rejection")
  },
)

t.test(
  "an async handleCallbackException override that rejects: both errors are logged, nothing unhandled",
  async (t) => {
    const unhandled = captureUnhandled(t)
    const loop = newLoop(t)
    loop.handleCallbackException = () => Promise.reject(new Error("handler down")) as unknown as void
    loop.addCallback(() => {
      throw new Error("first")
    })
    loop.callLater(5, () => loop.stop())
    await runUntilStopped(loop)
    const errors = loop.memory.lines.filter((line) => line.level === "error")
    t.same(
      errors.map((line) => (line.args[1] as Error).message),
      ["first", "handler down"],
    )
    t.same(unhandled, [], "no unhandled rejection")
  },
)

t.test(
  "a handleCallbackException override that throws: both errors are logged, the loop carries on",
  async (t) => {
    const loop = newLoop(t)
    loop.handleCallbackException = () => {
      throw new Error("handler down")
    }
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => void unhandled.push(reason)
    process.on("unhandledRejection", onUnhandled)
    t.teardown(() => void process.off("unhandledRejection", onUnhandled))
    loop.addCallback(() => {
      throw new Error("first")
    })
    loop.addCallback(() => Promise.reject(new Error("second")))
    loop.callLater(5, () => loop.stop())
    await runUntilStopped(loop)
    const errors = loop.memory.lines.filter((line) => line.level === "error")
    t.same(
      errors.map((line) => (line.args[1] as Error).message),
      ["first", "handler down", "second", "handler down"],
    )
    t.same(unhandled, [], "no unhandled rejection")
  },
)

t.test("a failed callback is logged whatever it and its error are, on the default console logger", (t) => {
  // In a child: the default logger is the real console.
  const script = `
    import { IOLoop } from ${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)}
    const loop = new IOLoop()
    const unnamed = () => { throw new Error("from a callback whose name cannot be read") }
    Object.defineProperty(unnamed, "name", { get() { throw new Error("name getter") } })
    loop.addCallback(unnamed)
    // console.error inspects the error; a custom inspector that throws makes it throw (on every Node).
    const unprintable = new Error("unprintable")
    unprintable[Symbol.for("nodejs.util.inspect.custom")] = () => { throw new Error("inspect down") }
    loop.addCallback(function throwsUnprintable() { throw unprintable })
    const { proxy, revoke } = Proxy.revocable(() => {}, {})
    revoke()
    loop.addCallback(proxy)
    loop.addCallback(() => { console.log("carried on"); loop.stop() })
    await loop.start()
  `
  const run = spawnSync(CHILD_NODE, ["--input-type=module", "-e", script], {
    encoding: "utf8",
    timeout: 30_000,
  })
  t.equal(run.status, 0, run.stderr)
  t.equal(run.stdout, "carried on\n")
  t.match(
    run.stderr,
    /Exception in callback <anonymous function> Error: from a callback whose name cannot be read/,
  )
  t.match(run.stderr, /Exception in callback throwsUnprintable\(\) \(a value that cannot be printed\)/)
  t.match(run.stderr, /Exception in callback <anonymous function> TypeError: .*revoked/)
  t.end()
})

t.test("with pino the Error of a failed callback keeps its message and stack", async (t) => {
  const lines: Record<string, unknown>[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>)
      done()
    },
  })
  const logger = pino(sink)
  const loop = new IOLoop({ makeCurrent: false, logger })
  t.teardown(() => loop.close())
  loop.addCallback(function failing() {
    throw new Error("kept")
  })
  loop.callLater(5, () => loop.stop())
  await runUntilStopped(loop)
  const line = lines.find((entry) => entry.msg === "Exception in callback failing()")
  t.ok(line, "the line was written with its message")
  const err = line!.err as { message: string; stack: string }
  t.equal(err.message, "kept")
  t.match(err.stack, /Error: kept\n\s+at failing/)
})

t.test("loggerStyle: 'object-first' passes { err } first; 'console' passes the message first", async (t) => {
  for (const style of ["object-first", "console"] as const) {
    const memory = new MemoryLogger()
    const loop = newLoop(t, { logger: memory, loggerStyle: style })
    const error = new Error("e")
    loop.addCallback(function failing() {
      throw error
    })
    loop.callLater(1, () => loop.stop())
    await runUntilStopped(loop)
    const [line] = memory.lines.filter((entry) => entry.level === "error")
    if (style === "object-first") t.same(line!.args, [{ err: error }, "Exception in callback failing()"])
    else t.same(line!.args, ["Exception in callback failing()", error])
  }
})

t.test("NODE_DEBUG=zmq-eventloop traces the poller, registrations and wake-ups", async (t) => {
  const script = `
    import * as zmq from "zeromq"
    import { IOLoop, READ } from ${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)}
    const loop = new IOLoop({ poller: "fd" })
    const pull = new zmq.Pull(), push = new zmq.Push()
    await pull.bind("inproc://trace"); push.connect("inproc://trace")
    loop.addHandler(pull, (s) => { s.receive(); loop.removeHandler(s); loop.stop() }, READ)
    // Sent from outside the loop while it waits, so only the poller can wake it.
    setTimeout(() => void push.send("x"), 20)
    await loop.start()
    pull.close(); push.close(); loop.close()
  `
  const run = spawnSync(CHILD_NODE, ["--input-type=module", "-e", script], {
    env: { ...process.env, NODE_DEBUG: "zmq-eventloop" },
    cwd: fileURLToPath(new URL("..", import.meta.url)), // where zeromq resolves
    encoding: "utf8",
    timeout: 30_000,
  })
  t.equal(run.status, 0, run.stderr)
  t.match(run.stderr, /ZMQ-EVENTLOOP \d+: poller: fd \(asked for fd\)/)
  t.match(run.stderr, /addHandler: Pull socket, events 0x1/)
  t.match(run.stderr, /wake-up: Pull socket/)
  t.match(run.stderr, /removeHandler: Pull socket/)
})

t.test(
  "the default logger writes errors and warnings to stderr, info and debug lines only with NODE_DEBUG",
  async (t) => {
    // As Python's logging shows pyzmq's loggers when nothing is configured: console.debug would print an
    // authenticator's decision for every connection on the program's stdout.
    const script = `
      import { IOLoop, defaultLogger } from ${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)}
      const loop = new IOLoop({ makeCurrent: false })
      console.log(String(loop.logger === defaultLogger))
      loop.logger.error("error line", new Error("its error"))
      loop.logger.warn("warn line")
      loop.logger.info("info line", { n: 1 })
      loop.logger.debug("debug line")
      loop.close()
    `
    const run = (env: NodeJS.ProcessEnv) =>
      spawnSync(CHILD_NODE, ["--input-type=module", "-e", script], {
        env: { ...process.env, NODE_DEBUG: "", ...env },
        encoding: "utf8",
        timeout: 30_000,
      })
    const quiet = run({})
    t.equal(quiet.status, 0, quiet.stderr)
    t.equal(quiet.stdout, "true\n", "nothing on stdout")
    t.match(quiet.stderr, /error line Error: its error/)
    t.match(quiet.stderr, /warn line/)
    t.notMatch(quiet.stderr, /info line|debug line/, "no info or debug line")
    const traced = run({ NODE_DEBUG: "zmq-eventloop" })
    t.equal(traced.stdout, "true\n")
    t.match(traced.stderr, /ZMQ-EVENTLOOP \d+: info line \{ n: 1 \}/)
    t.match(traced.stderr, /ZMQ-EVENTLOOP \d+: debug line/)
  },
)

t.test("a thrown undefined is logged as the error it is, on both kinds of logger", async (t) => {
  // It was logged as if no error had been given: the line had no value, pino's no `err` key.
  const loop = newLoop(t)
  const objectFirst = new MemoryLogger()
  const pinoStyle = new IOLoop({ makeCurrent: false, logger: objectFirst, loggerStyle: "object-first" })
  t.teardown(() => pinoStyle.close())
  for (const each of [loop, pinoStyle]) {
    each.addCallback(function thrower() {
      throw undefined
    })
    each.addCallback(() => each.stop())
    await runUntilStopped(each)
  }
  const consoleLine = loop.memory.lines.find((line) => line.level === "error")!
  t.equal(consoleLine.args.length, 2, "console style: the message and the value")
  t.equal(consoleLine.args[1], undefined)
  const pinoLine = objectFirst.lines.find((line) => line.level === "error")!
  t.ok(Object.hasOwn(pinoLine.args[0] as object, "err"), "object-first: an err key")
})
