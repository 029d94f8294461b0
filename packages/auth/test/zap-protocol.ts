// The ZAP 1.0 protocol as the handler speaks it (RFC 27), driven by hand-made requests from a REQ socket
// connected to inproc://zeromq.zap.01 in the test's context: the exact reply frames, malformed requests,
// GSSAPI and unknown mechanisms, and the user id. Ported: pyzmq's Authenticator.handle_zap_message branches.
import * as zmq from "zeromq"
import { CURVE_ALLOW_ANY, IOLoopAuthenticator, ZAP_ENDPOINT } from "../src/index.js"
import { authTest, waitFor, within, type AuthContext } from "./helpers/auth.js"

/** Sends one request from a REQ socket (which adds the empty delimiter) and resolves to the reply as text. */
async function ask({ context, track }: AuthContext, request: (string | Buffer)[]): Promise<string[]> {
  const req = track(new zmq.Request({ context }))
  req.connect(ZAP_ENDPOINT)
  await req.send(request)
  return (await within(req.receive(), "the ZAP reply")).map(String)
}

/** Sends `frames` as they are from a DEALER socket (no delimiter is added). */
async function sendRaw({ context, track }: AuthContext, frames: string[]): Promise<void> {
  const dealer = track(new zmq.Dealer({ context }))
  dealer.connect(ZAP_ENDPOINT)
  await dealer.send(frames)
}

const request = (mechanism: string, ...credentials: (string | Buffer)[]) => [
  "1.0",
  "req-1",
  "",
  "10.0.0.1",
  "",
  mechanism,
  ...credentials,
]

// RFC 32's test vector: these 8 bytes are "HelloWorld" in Z85.
const HELLO_WORLD = Buffer.from([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b])
const CURVE_KEY = Buffer.concat([HELLO_WORLD, HELLO_WORLD, HELLO_WORLD, HELLO_WORLD])

authTest(
  "a reply carries version, request id, status code and text, user id and empty metadata",
  async (t, ctx) => {
    t.same(await ask(ctx, request("NULL")), ["1.0", "req-1", "200", "OK", "anonymous", ""])
    ctx.auth.configurePlain("*", { admin: "secret" })
    t.same(await ask(ctx, request("PLAIN", "admin", "secret")), ["1.0", "req-1", "200", "OK", "admin", ""])
    t.same(
      await ask(ctx, request("PLAIN", "admin", "wrong")),
      ["1.0", "req-1", "400", "Invalid password", "", ""],
      "a refusal carries no user id",
    )
  },
)

authTest("an admitted CURVE client's user id is its public key in Z85", async (t, ctx) => {
  ctx.auth.configureCurve("*", CURVE_ALLOW_ANY)
  const [, , code, , userId] = await ask(ctx, request("CURVE", CURVE_KEY))
  t.equal(code, "200")
  t.equal(userId, "HelloWorld".repeat(4))
})

authTest("curveUserId is the method to override for another user id", async (t, ctx) => {
  class NamedKeys extends IOLoopAuthenticator {
    override curveUserId(clientPublicKey: Buffer): string {
      return clientPublicKey.equals(CURVE_KEY) ? "hello-world" : "someone"
    }
  }
  await ctx.auth.stop()
  const named = new NamedKeys(ctx.context, ctx.loop)
  named.start()
  t.teardown(() => named.stop())
  named.configureCurve("*", CURVE_ALLOW_ANY)
  t.same(await ask(ctx, request("CURVE", CURVE_KEY)), ["1.0", "req-1", "200", "OK", "hello-world", ""])
})

authTest("malformed requests get status 400 with the reason", async (t, ctx) => {
  t.same(await ask(ctx, ["1.0", "req-9", "domain"]), ["1.0", "req-9", "400", "Not enough frames", "", ""])
  t.ok(
    ctx.logger
      .messages("error")
      .includes('Invalid ZAP message, not enough frames: ["1.0", "req-9", "domain"]'),
  )
  t.same(await ask(ctx, ["2.0", ...request("NULL").slice(1)]), [
    "1.0",
    "req-1",
    "400",
    "Invalid version",
    "",
    "",
  ])
  t.match(ctx.logger.messages("error"), [/^Invalid ZAP message/, /^Invalid ZAP version: \["2.0", "req-1"/])
  for (const [mechanism, credentials] of [
    ["PLAIN", ["only-a-username"]],
    ["CURVE", []],
    ["GSSAPI", ["a", "b"]],
  ] as const) {
    t.same(
      await ask(ctx, request(mechanism, ...credentials)),
      ["1.0", "req-1", "400", "Invalid credentials", "", ""],
      mechanism,
    )
    t.ok(
      ctx.logger.messages("error").includes(`Invalid ${mechanism} credentials: ${credentials.length} frames`),
    )
  }
  ctx.auth.configureCurve("*", CURVE_ALLOW_ANY)
  t.same(
    await ask(ctx, request("CURVE", CURVE_KEY.subarray(1))),
    ["1.0", "req-1", "400", "Invalid credentials", "", ""],
    "a CURVE key that is not 32 bytes",
  )
  t.ok(ctx.logger.messages("error").includes("Invalid CURVE credentials: a key of 31 bytes"))
})

authTest("a request too short to answer, or without a delimiter, is logged and dropped", async (t, ctx) => {
  await sendRaw(ctx, ["", "1.0"])
  await waitFor(
    () => ctx.logger.messages("error").includes("Not enough information to reply"),
    "the error log",
  )
  t.ok(ctx.logger.messages("error").includes('Invalid ZAP message, not enough frames: ["1.0"]'))
  await sendRaw(ctx, ["1.0", "req-1"])
  await waitFor(
    () =>
      ctx.logger
        .messages("error")
        .some((line) => line.startsWith("Invalid ZAP message, no envelope delimiter")),
    "the error log",
  )
  t.match(
    ctx.logger.messages("error").at(-1),
    /^Invalid ZAP message, no envelope delimiter: \[0x[0-9a-f]+, "1.0", "req-1"\]$/,
  )
})

authTest("GSSAPI requests are admitted with their principal as the user id", async (t, ctx) => {
  t.same(await ask(ctx, request("GSSAPI", "alice@EXAMPLE.ORG")), [
    "1.0",
    "req-1",
    "200",
    "OK",
    "alice@EXAMPLE.ORG",
    "",
  ])
  t.ok(ctx.logger.messages("debug").includes("ALLOWED (GSSAPI) domain= principal=alice@EXAMPLE.ORG"))
})

authTest("an unknown mechanism is refused unless its address is allowed", async (t, ctx) => {
  t.same(await ask(ctx, request("X-CUSTOM")), ["1.0", "req-1", "400", "NO ACCESS", "", ""])
  ctx.auth.allow("10.0.0.1")
  t.same(await ask(ctx, request("X-CUSTOM")), ["1.0", "req-1", "200", "OK", "anonymous", ""])
})

authTest("binary request ids and identities are logged in hex and echoed byte for byte", async (t, ctx) => {
  const id = Buffer.from([0, 1, 0xfe, 0xff])
  const req = ctx.track(new zmq.Request({ context: ctx.context }))
  req.connect(ZAP_ENDPOINT)
  await req.send(["1.0", id, "", "10.0.0.1", Buffer.from([0xaa]), "NULL"])
  const [, requestId] = await within(req.receive(), "the ZAP reply")
  t.same(requestId, id)
  t.ok(
    ctx.logger
      .messages("debug")
      .some((line) => line.includes("request_id: 0x0001feff") && line.includes("identity: 0xaa")),
  )
})
