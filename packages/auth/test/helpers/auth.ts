// Shared set-up for the authenticator suites: a started IOLoop and authenticator in a fresh zmq Context per
// test (so each test has its own inproc://zeromq.zap.01), CURVE/PLAIN/NULL servers and clients over tcp
// loopback, the server's handshake outcome read from its socket events (never a fixed sleep), and
// deadlines that say what is missing.
import t, { type Test } from "tap"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as zmq from "zeromq"
import { IOLoop } from "@zmq-eventloop/ioloop"
import { MemoryLogger } from "../../../ioloop/test/helpers/loop.js"
import { boundLinger, closeNow } from "../../../ioloop/test/helpers/sockets.js"
import { IOLoopAuthenticator } from "../../src/index.js"

export { MemoryLogger }

/** Resolves like `promise`, or rejects after `ms` saying what was awaited. */
export function within<T>(promise: Promise<T>, what: string, ms = 15_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)
    // A deadline alone does not keep the process alive: a test that stopped waiting can end at once.
    timer.unref()
  })
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer))
}

/** Resolves once `predicate()` holds, checking every millisecond; rejects after `ms` with `what`. */
export async function waitFor(predicate: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
}

export interface AuthContext {
  loop: IOLoop
  logger: MemoryLogger
  context: zmq.Context
  auth: IOLoopAuthenticator
  /** A fresh directory, removed at teardown. */
  dir: string
  /** Registers a socket to close (linger 0) at teardown, and returns it, its linger bounded (`boundLinger`). */
  track<S extends zmq.Socket>(socket: S): S
}

/**
 * Runs `body` as a subtest with a running loop and a started authenticator in a fresh context; `skip`, when
 * given, is the reason it cannot run here.
 */
export function authTest(
  title: string,
  body: (t: Test, ctx: AuthContext) => Promise<void>,
  { skip }: { skip?: string | undefined } = {},
): void {
  t.test(title, { skip: skip ?? false }, async (t) => {
    const logger = new MemoryLogger()
    const loop = new IOLoop({ makeCurrent: false, logger })
    const context = new zmq.Context()
    const auth = new IOLoopAuthenticator(context, loop)
    const dir = mkdtempSync(join(tmpdir(), "zmq-eventloop-auth-"))
    const sockets: zmq.Socket[] = []
    const running = loop.start()
    auth.start()
    t.teardown(async () => {
      await auth.stop()
      closeNow(sockets)
      loop.stop()
      await running
      loop.close()
      rmSync(dir, { recursive: true, force: true })
    })
    const track = <S extends zmq.Socket>(socket: S): S => {
      sockets.push(socket)
      return boundLinger(socket)
    }
    await body(t, { loop, logger, context, auth, dir, track })
  })
}

/** How the server side of a handshake ended: admitted, or refused with the ZAP status code. */
export type Outcome = "admitted" | { refused: number }

/**
 * The outcome of the next handshake `socket` takes part in, from its monitor events; rejects on any other
 * handshake failure, or after the deadline. Call it before the peer connects.
 */
export function nextHandshake(socket: zmq.Socket, what = "a handshake on the server"): Promise<Outcome> {
  // Read with receive(), not events.on(): in emitter mode zeromq.js keeps a receive pending on the
  // observer until it closes, and 1 run in ~5 the observer of a closed socket never did, which kept the
  // test process alive until tap's timeout. Read up to the outcome, nothing is left waiting.
  const observer = socket.events
  const outcome = (async (): Promise<Outcome> => {
    for (;;) {
      const event = await observer.receive()
      if (event.type === "handshake") return "admitted"
      if (event.type === "handshake:error:auth") return { refused: event.error.status }
      if (event.type === "handshake:error:protocol" || event.type === "handshake:error:other")
        throw event.error
    }
  })()
  return within(outcome, what)
}

/** A ROUTER echo server ("<msg> World" back to the sender), bound to tcp loopback; resolves to its endpoint. */
export async function echoServer(socket: zmq.Router): Promise<string> {
  await socket.bind("tcp://127.0.0.1:*")
  void (async () => {
    for await (const [id, ...body] of socket) await socket.send([id!, ...body, "World"])
  })().catch(() => undefined) // ends when the socket closes at teardown
  return socket.lastEndpoint!
}

/** Sends "Hello" and resolves to the reply's text, within the deadline. */
export async function roundTrip(client: zmq.Dealer): Promise<string> {
  await client.send("Hello")
  const reply = await within(client.receive(), "the echo server's reply")
  return reply.map(String).join(" ")
}

export interface CurvePair {
  server: zmq.Router
  client: zmq.Dealer
  endpoint: string
  outcome: Promise<Outcome>
}

/**
 * A CURVE echo server with `serverKeys` (options such as `zapDomain` added) and a client of it with
 * `clientKeys`, connected; `outcome` is the server's view of the client's handshake.
 */
export async function curvePair(
  { context, track }: AuthContext,
  serverKeys: { publicKey: string; secretKey: string },
  clientKeys: { publicKey: string; secretKey: string },
  serverOptions: { zapDomain?: string } = {},
): Promise<CurvePair> {
  const server = track(
    new zmq.Router({ context, curveServer: true, curveSecretKey: serverKeys.secretKey, ...serverOptions }),
  )
  const endpoint = await echoServer(server)
  const outcome = nextHandshake(server)
  const client = track(
    new zmq.Dealer({
      context,
      curveServerKey: serverKeys.publicKey,
      curvePublicKey: clientKeys.publicKey,
      curveSecretKey: clientKeys.secretKey,
    }),
  )
  client.connect(endpoint)
  return { server, client, endpoint, outcome }
}
