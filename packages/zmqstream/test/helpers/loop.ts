// Shared set-up for the ZMQStream suites: a running IOLoop per poller, sockets closed at teardown, waiting
// for an event with a deadline (never a fixed sleep), and a logger that records.
import t, { type Test } from "tap"
import { rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as zmq from "zeromq"
import { IOLoop } from "@zmq-eventloop/ioloop"
import { ZMQStream } from "../../src/index.js"
import {
  MemoryLogger,
  NATIVE_DATA_PATH_HERE,
  NO_NATIVE_DATA_PATH,
  POLLERS,
  type PollerChoice as PollerName,
} from "../../../ioloop/test/helpers/loop.js"
import { boundLinger, closeNow } from "../../../ioloop/test/helpers/sockets.js"

export { NATIVE_DATA_PATH_HERE, NO_NATIVE_DATA_PATH, POLLERS, type PollerName }

/** The ioloop suites' recording logger, plus the arguments of every line at one level. */
export class RecordingLogger extends MemoryLogger {
  at(level: string): unknown[][] {
    return this.lines.filter((line) => line.level === level).map((line) => line.args)
  }
}

/** The data paths every stream suite runs on: the addon's, and zeromq.js's (`ZMQ_EVENTLOOP_NATIVE=0`). */
export const DATA_PATHS = ["native", "zeromq.js"] as const
export type DataPathName = (typeof DATA_PATHS)[number]

export interface LoopContext {
  loop: IOLoop
  logger: RecordingLogger
  poller: PollerName
  /** The data path the streams made in this test use (where the native one attaches at all). */
  dataPath: DataPathName
  /** Registers a socket to close (linger 0) at teardown, and returns it, its linger bounded (`boundLinger`). */
  track<S extends zmq.Socket>(socket: S): S
}

/**
 * Runs `body` once per poller ("fd", then "interval") and data path ("native", then "zeromq.js") as a
 * subtest titled `<title> (<poller> poller, <data path> data path)`, with a started loop that is stopped
 * and closed, and its sockets closed, afterwards.
 */
export function loopTest(
  title: string,
  body: (t: Test, ctx: LoopContext) => Promise<void>,
  options: { skip?: string } = {},
): void {
  for (const poller of POLLERS) {
    for (const dataPath of DATA_PATHS) {
      const name = `${title} (${poller} poller, ${dataPath} data path)`
      t.test(name, { skip: options.skip ?? false }, (t) => runLoopTest(t, poller, dataPath, body))
    }
  }
}

/**
 * Makes the streams made until `t` ends (and the workers started meanwhile, which copy the environment) use
 * `dataPath`: it is read by each new stream, and the subtests of a file run one at a time.
 */
export function useDataPath(t: Test, dataPath: DataPathName): void {
  const previous = process.env.ZMQ_EVENTLOOP_NATIVE
  if (dataPath === "zeromq.js") process.env.ZMQ_EVENTLOOP_NATIVE = "0"
  else delete process.env.ZMQ_EVENTLOOP_NATIVE
  t.teardown(() => {
    if (previous === undefined) delete process.env.ZMQ_EVENTLOOP_NATIVE
    else process.env.ZMQ_EVENTLOOP_NATIVE = previous
  })
}

async function runLoopTest(
  t: Test,
  poller: PollerName,
  dataPath: DataPathName,
  body: (t: Test, ctx: LoopContext) => Promise<void>,
): Promise<void> {
  useDataPath(t, dataPath)
  const logger = new RecordingLogger()
  const loop = new IOLoop({ poller, makeCurrent: false, logger })
  const sockets: zmq.Socket[] = []
  const running = loop.start()
  t.teardown(async () => {
    loop.stop()
    await running
    loop.close()
    closeNow(sockets)
  })
  const track = <S extends zmq.Socket>(socket: S): S => {
    sockets.push(socket)
    return boundLinger(socket)
  }
  await body(t, { loop, logger, poller, dataPath, track })
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

/**
 * The socket files of the ipc endpoints bound in this test file. libzmq unlinks one when its socket's close
 * is processed, which the process may exit before: they are removed when the file's tests end.
 */
const ipcFiles: string[] = []

export type Transport = "tcp" | "ipc" | "inproc"

/** A fresh endpoint per transport: tcp binds to a random port (read back from lastEndpoint). */
let inprocCount = 0
export async function bindAny(socket: zmq.Socket, transport: Transport = "tcp"): Promise<string> {
  let address = `inproc://zmqstream-test-${++inprocCount}`
  if (transport === "tcp") address = "tcp://127.0.0.1:*"
  if (transport === "ipc") {
    const file = join(tmpdir(), `zmqstream-test-${process.pid}-${inprocCount}`)
    if (ipcFiles.length === 0) t.teardown(() => ipcFiles.forEach((path) => rmSync(path, { force: true })))
    ipcFiles.push(file)
    address = `ipc://${file}`
  }
  await socket.bind(address)
  return socket.lastEndpoint!
}

/** A ROUTER stream (`server`) and a DEALER stream (`client`) connected over `transport`, on the test's loop. */
export async function routerDealerStreams(
  ctx: LoopContext,
  transport: Transport,
): Promise<{ server: ZMQStream; client: ZMQStream }> {
  const router = ctx.track(new zmq.Router())
  const dealer = ctx.track(new zmq.Dealer())
  dealer.connect(await bindAny(router, transport))
  return { server: new ZMQStream(router, ctx.loop), client: new ZMQStream(dealer, ctx.loop) }
}
