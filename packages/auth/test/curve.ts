// CURVE through the authenticator with real zeromq.js sockets over tcp loopback: certificate directories
// per domain, CURVE_ALLOW_ANY, and credentials providers (sync, async, failing). Ported: pyzmq
// zmq/tests/test_auth.py (test_curve, test_curve_callback), observed through the
// server socket's handshake events.
import * as zmq from "zeromq"
import {
  CURVE_ALLOW_ANY,
  createCertificates,
  loadCertificate,
  type CredentialsProvider,
} from "../src/index.js"
import { authTest, curvePair, roundTrip, waitFor } from "./helpers/auth.js"

const serverKeys = zmq.curveKeyPair()

/** A key pair whose public key is in a certificate in `dir`. */
function certifiedKeys(dir: string, name: string): { publicKey: string; secretKey: string } {
  const [, secretFile] = createCertificates(dir, name)
  const { publicKey, secretKey } = loadCertificate(secretFile)
  return { publicKey, secretKey: secretKey! }
}

authTest("a client whose key is in the certificate directory is admitted", async (t, ctx) => {
  const known = certifiedKeys(ctx.dir, "client")
  ctx.auth.configureCurve("*", ctx.dir)
  const { client, outcome } = await curvePair(ctx, serverKeys, known)
  t.equal(await outcome, "admitted")
  t.equal(await roundTrip(client), "Hello World")
  const debug = ctx.logger.messages("debug")
  t.ok(debug.includes(`ALLOWED (CURVE) domain=* client_key=${known.publicKey}`), debug.join("\n"))
  t.ok(debug.includes("ZAP reply code=200 text=OK"))
  t.ok(debug.some((line) => /^version: "1.0", request_id: .*, mechanism: "CURVE"$/.test(line)))
})

authTest("a client with an unknown key is refused with status 400", async (t, ctx) => {
  certifiedKeys(ctx.dir, "someone-else")
  ctx.auth.configureCurve("*", ctx.dir)
  const stranger = zmq.curveKeyPair()
  const { outcome } = await curvePair(ctx, serverKeys, stranger)
  t.same(await outcome, { refused: 400 })
  t.ok(ctx.logger.messages("debug").includes(`DENIED (CURVE) domain=* client_key=${stranger.publicKey}`))
  t.ok(ctx.logger.messages("debug").includes("ZAP reply code=400 text=Unknown key"))
})

authTest("before any CURVE configuration every CURVE client is refused", async (t, ctx) => {
  const { outcome } = await curvePair(ctx, serverKeys, zmq.curveKeyPair())
  t.same(await outcome, { refused: 400 })
  t.ok(ctx.logger.messages("debug").includes("ZAP reply code=400 text=Unknown domain"))
})

authTest(
  "certificates are looked up by the server's zapDomain, '*' covering servers without one",
  async (t, ctx) => {
    const alice = certifiedKeys(ctx.dir, "alice")
    ctx.auth.configureCurve("global", ctx.dir)
    const inGlobal = await curvePair(ctx, serverKeys, alice, { zapDomain: "global" })
    t.equal(await inGlobal.outcome, "admitted", "the domain's certificates admit alice")
    const noDomain = await curvePair(ctx, serverKeys, alice)
    t.same(
      await noDomain.outcome,
      { refused: 400 },
      "a server without a zapDomain asks for '*', not configured",
    )
    t.ok(ctx.logger.messages("debug").includes("DENIED (CURVE) unknown domain=*"))
  },
)

authTest("configureCurve reads the directory again when called again", async (t, ctx) => {
  ctx.auth.configureCurve("*", ctx.dir)
  const late = certifiedKeys(ctx.dir, "late")
  const before = await curvePair(ctx, serverKeys, late)
  t.same(await before.outcome, { refused: 400 }, "a certificate added after the call is not seen")
  ctx.auth.configureCurve("*", ctx.dir)
  const after = await curvePair(ctx, serverKeys, late)
  t.equal(await after.outcome, "admitted", "it is seen after configuring again")
})

authTest("CURVE_ALLOW_ANY admits any key until a directory is configured again", async (t, ctx) => {
  ctx.auth.configureCurve("*", CURVE_ALLOW_ANY)
  const anyone = await curvePair(ctx, serverKeys, zmq.curveKeyPair())
  t.equal(await anyone.outcome, "admitted")
  t.equal(await roundTrip(anyone.client), "Hello World")
  t.ok(ctx.logger.messages("debug").includes("ALLOWED (CURVE allow any client)"))

  ctx.auth.configureCurve("*", ctx.dir)
  const stranger = await curvePair(ctx, serverKeys, zmq.curveKeyPair())
  t.same(await stranger.outcome, { refused: 400 })
})

/** A provider that admits the keys it holds, answering at once or later. */
class KeyList implements CredentialsProvider {
  readonly asked: [string, string][] = []
  constructor(
    private readonly keys: Set<string>,
    private readonly later = false,
  ) {}
  callback(domain: string, key: string): boolean | Promise<boolean> {
    this.asked.push([domain, key])
    const known = this.keys.has(key)
    return this.later ? new Promise((resolve) => setTimeout(resolve, 1, known)) : known
  }
}

for (const later of [false, true]) {
  const how = later ? "a promise" : "a boolean"
  authTest(`a credentials provider answering with ${how} decides on each key`, async (t, ctx) => {
    const known = zmq.curveKeyPair()
    const provider = new KeyList(new Set([known.publicKey]), later)
    ctx.auth.configureCurveCallback("*", provider)
    const admitted = await curvePair(ctx, serverKeys, known)
    t.equal(await admitted.outcome, "admitted")
    t.equal(await roundTrip(admitted.client), "Hello World")
    const stranger = zmq.curveKeyPair()
    const refused = await curvePair(ctx, serverKeys, stranger)
    t.same(await refused.outcome, { refused: 400 })
    t.same(provider.asked, [
      ["*", known.publicKey],
      ["*", stranger.publicKey],
    ])
    const debug = ctx.logger.messages("debug")
    t.ok(debug.includes(`ALLOWED (CURVE auth_callback) domain=* client_key=${known.publicKey}`))
    t.ok(debug.includes(`DENIED (CURVE auth_callback) domain=* client_key=${stranger.publicKey}`))
  })
}

authTest("while a provider is configured, certificate directories are not consulted", async (t, ctx) => {
  const known = certifiedKeys(ctx.dir, "client")
  ctx.auth.configureCurve("*", ctx.dir)
  ctx.auth.configureCurveCallback("other", new KeyList(new Set()))
  const { outcome } = await curvePair(ctx, serverKeys, known)
  t.same(await outcome, { refused: 400 }, "domain '*' has no provider")
  t.ok(ctx.logger.messages("debug").includes("DENIED (CURVE auth_callback) unknown domain=*"))
})

authTest(
  "a provider that throws or rejects refuses with status 500, reported to the loop",
  async (t, ctx) => {
    class Broken implements CredentialsProvider {
      constructor(private readonly how: "throw" | "reject") {}
      callback(): boolean | Promise<boolean> {
        const error = new Error(`database is down (${this.how})`)
        if (this.how === "throw") throw error
        return Promise.reject(error)
      }
    }
    for (const how of ["throw", "reject"] as const) {
      ctx.auth.configureCurveCallback("*", new Broken(how))
      const { outcome } = await curvePair(ctx, serverKeys, zmq.curveKeyPair())
      t.same(await outcome, { refused: 500 }, how)
      await waitFor(
        () => ctx.logger.lines.some((line) => String(line.args[1]).includes(how)),
        "the error log",
      )
      const logged = ctx.logger.lines.find((line) => String(line.args[1]).includes(how))!
      t.equal(logged.level, "error")
      t.equal(logged.args[0], "Exception in callback callback()")
    }
    t.ok(ctx.logger.messages("debug").includes("ZAP reply code=500 text=Internal error"))
  },
)

authTest(
  "a provider's error still gets its 500 reply when the loop's handleCallbackException fails",
  async (t, ctx) => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason)
    process.on("unhandledRejection", onUnhandled)
    t.teardown(() => void process.off("unhandledRejection", onUnhandled))
    ctx.auth.configureCurveCallback("*", {
      callback: () => {
        throw new Error("database is down")
      },
    })
    for (const override of [
      () => {
        throw new Error("handler down")
      },
      () => Promise.reject(new Error("handler down")) as unknown as void,
    ]) {
      ctx.loop.handleCallbackException = override
      const { outcome } = await curvePair(ctx, serverKeys, zmq.curveKeyPair())
      t.same(await outcome, { refused: 500 }, "the client is refused, not left waiting")
    }
    await waitFor(
      () => ctx.logger.lines.filter((line) => String(line.args[1]).includes("handler down")).length === 2,
      "both failures of the override logged",
    )
    t.same(unhandled, [], "no unhandled rejection")
  },
)
