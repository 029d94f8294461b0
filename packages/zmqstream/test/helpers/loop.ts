// Shared set-up for the ZMQStream suites: a running IOLoop per poller, sockets closed at teardown, waiting
// for an event with a deadline (never a fixed sleep), and a logger that records.
import t, { type Test } from "tap"
import * as zmq from "zeromq"
import { IOLoop } from "@zmq-eventloop/ioloop"
import { MemoryLogger, POLLERS, type PollerChoice as PollerName } from "../../../ioloop/test/helpers/loop.js"

export { POLLERS, type PollerName }

/** The ioloop suites' recording logger, plus the arguments of every line at one level. */
export class RecordingLogger extends MemoryLogger {
  at(level: string): unknown[][] {
    return this.lines.filter((line) => line.level === level).map((line) => line.args)
  }
}

export interface LoopContext {
  loop: IOLoop
  logger: RecordingLogger
  poller: PollerName
  /** Registers a socket to close (linger 0) at teardown, and returns it. */
  track<S extends zmq.Socket>(socket: S): S
}

/**
 * Runs `body` once per poller ("fd", then "interval") as a subtest titled `<title> (<poller> poller)`,
 * with a started loop that is stopped and closed, and its sockets closed, afterwards.
 */
export function loopTest(
  title: string,
  body: (t: Test, ctx: LoopContext) => Promise<void>,
  options: { skip?: string } = {},
): void {
  for (const poller of POLLERS) {
    t.test(`${title} (${poller} poller)`, { skip: options.skip ?? false }, async (t) => {
      const logger = new RecordingLogger()
      const loop = new IOLoop({ poller, makeCurrent: false, logger })
      const sockets: zmq.Socket[] = []
      const running = loop.start()
      t.teardown(async () => {
        loop.stop()
        await running
        loop.close()
        for (const socket of sockets) {
          if (!socket.closed) {
            socket.linger = 0
            socket.close()
          }
        }
      })
      const track = <S extends zmq.Socket>(socket: S): S => {
        sockets.push(socket)
        return socket
      }
      await body(t, { loop, logger, poller, track })
    })
  }
}

/** Resolves once `predicate()` holds, checking every millisecond; rejects after `ms` with `what`. */
export async function waitFor(predicate: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
}

/** A promise with its resolve function, settled by an event; `wait()` rejects after `ms`. */
export function deferred<T = void>(): {
  resolve: (value: T) => void
  wait: (what: string, ms?: number) => Promise<T>
} {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return {
    resolve,
    wait: (what, ms = 10_000) => {
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)
      })
      return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
    },
  }
}

/** A fresh endpoint per transport: tcp binds to a random port (read back from lastEndpoint). */
let inprocCount = 0
export async function bindAny(
  socket: zmq.Socket,
  transport: "tcp" | "ipc" | "inproc" = "tcp",
): Promise<string> {
  const address =
    transport === "tcp"
      ? "tcp://127.0.0.1:*"
      : transport === "ipc"
        ? `ipc:///tmp/zmqstream-test-${process.pid}-${++inprocCount}`
        : `inproc://zmqstream-test-${++inprocCount}`
  await socket.bind(address)
  return socket.lastEndpoint!
}
