// The authenticator against pyzmq clients (Debian's python3-zmq through /usr/bin/python3), as the
// ironhouse examples use it: a known CURVE client is admitted, an unknown key and a denied address are
// refused, PLAIN with the right and a wrong password. Both sides report: the server socket's handshake
// event here, and the Python client's own monitor (test/fixtures/pyzmq_client.py).
import { spawn } from "node:child_process"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import type { Test } from "tap"
import * as zmq from "zeromq"
import { createCertificates, loadCertificate } from "../src/index.js"
import { authTest, echoServer, nextHandshake, waitFor, type AuthContext } from "./helpers/auth.js"
import { PYTHON, pyzmqSkipReason } from "./helpers/python.js"

const CLIENT = fileURLToPath(new URL("fixtures/pyzmq_client.py", import.meta.url))

/** Runs the pyzmq client with `config`; `lines` fills with what it prints, `done` resolves at its exit. */
function pyzmqClient(
  t: Test,
  config: Record<string, string>,
): { lines: string[]; done: Promise<number | null> } {
  const child = spawn(PYTHON, [CLIENT], { stdio: ["pipe", "pipe", "inherit"] })
  t.teardown(() => {
    if (child.exitCode === null) child.kill()
  })
  child.stdin.end(JSON.stringify(config))
  const lines: string[] = []
  createInterface({ input: child.stdout }).on("line", (line) => lines.push(line))
  const done = new Promise<number | null>((resolve) => child.once("close", resolve))
  return { lines, done }
}

/** The Python client's lines once it has exited (within the deadline). */
async function linesAtExit(client: { lines: string[]; done: Promise<number | null> }): Promise<string[]> {
  let exited = false
  void client.done.then(() => (exited = true))
  await waitFor(() => exited, `the pyzmq client to exit (it printed: ${client.lines.join(" | ")})`, 30_000)
  return client.lines
}

const serverKeys = zmq.curveKeyPair()

/** A CURVE echo server in the test's context; resolves to its endpoint and the next handshake's outcome. */
async function curveServer({ context, track }: AuthContext) {
  const server = track(new zmq.Router({ context, curveServer: true, curveSecretKey: serverKeys.secretKey }))
  const endpoint = await echoServer(server)
  return { endpoint, outcome: nextHandshake(server) }
}

/** The ironhouse set-up: clients from 127.0.0.1 whose certificate is in the directory. */
function ironhouse(ctx: AuthContext): { publicKey: string; secretKey: string } {
  ctx.auth.allow("127.0.0.1")
  const [, secretFile] = createCertificates(ctx.dir, "client")
  ctx.auth.configureCurve("*", ctx.dir)
  const { publicKey, secretKey } = loadCertificate(secretFile)
  return { publicKey, secretKey: secretKey! }
}

const curveConfig = (endpoint: string, keys: { publicKey: string; secretKey: string }) => ({
  endpoint,
  mechanism: "curve",
  server_key: serverKeys.publicKey,
  public_key: keys.publicKey,
  secret_key: keys.secretKey,
})

function skippable(title: string, body: (t: Test, ctx: AuthContext) => Promise<void>): void {
  authTest(title, body, { skip: pyzmqSkipReason })
}

skippable("a pyzmq CURVE client whose certificate is known is admitted and answered", async (t, ctx) => {
  const keys = ironhouse(ctx)
  const { endpoint, outcome } = await curveServer(ctx)
  const client = pyzmqClient(t, curveConfig(endpoint, keys))
  t.equal(await outcome, "admitted")
  t.same(await linesAtExit(client), ["handshake ok", "reply Hello World"])
})

skippable("a pyzmq CURVE client with an unknown key is refused", async (t, ctx) => {
  ironhouse(ctx)
  const { endpoint, outcome } = await curveServer(ctx)
  const client = pyzmqClient(t, curveConfig(endpoint, zmq.curveKeyPair()))
  t.same(await outcome, { refused: 400 })
  t.same(await linesAtExit(client), ["refused 400"])
})

skippable("a pyzmq CURVE client from a denied address is refused, known key or not", async (t, ctx) => {
  ctx.auth.deny("127.0.0.1")
  const [, secretFile] = createCertificates(ctx.dir, "client")
  ctx.auth.configureCurve("*", ctx.dir)
  const { publicKey, secretKey } = loadCertificate(secretFile)
  const { endpoint, outcome } = await curveServer(ctx)
  const client = pyzmqClient(t, curveConfig(endpoint, { publicKey, secretKey: secretKey! }))
  t.same(await outcome, { refused: 400 })
  t.same(await linesAtExit(client), ["refused 400"])
  t.ok(ctx.logger.messages("debug").includes("ZAP reply code=400 text=Address denied"))
})

for (const [password, expected] of [
  ["secret", ["handshake ok", "reply Hello World"]],
  ["wrong", ["refused 400"]],
] as const) {
  skippable(
    `a pyzmq PLAIN client with ${password === "secret" ? "the right" : "a wrong"} password`,
    async (t, ctx) => {
      ctx.auth.configurePlain("*", { admin: "secret" })
      const server = ctx.track(new zmq.Router({ context: ctx.context, plainServer: true }))
      const endpoint = await echoServer(server)
      const outcome = nextHandshake(server)
      const client = pyzmqClient(t, { endpoint, mechanism: "plain", username: "admin", password })
      t.same(await outcome, password === "secret" ? "admitted" : { refused: 400 })
      t.same(await linesAtExit(client), expected)
    },
  )
}
