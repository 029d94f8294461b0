// PLAIN passwords and the address lists (allow/deny) through the authenticator, with real zeromq.js sockets
// over tcp loopback; NULL clients are sent to the handler by servers that have a zapDomain. Ported: pyzmq
// zmq/tests/test_auth.py (test_null, test_blacklist, test_whitelist, test_plain), observed through the
// server socket's handshake events.
import * as zmq from "zeromq"
import { authTest, echoServer, nextHandshake, roundTrip, type AuthContext } from "./helpers/auth.js"

interface Client {
  client: zmq.Dealer
  outcome: Promise<unknown>
}

/** A PLAIN echo server (`zapDomain` if given) and a client of it with these credentials. */
async function plainClient(
  { context, track }: AuthContext,
  username: string,
  password: string,
  zapDomain?: string,
): Promise<Client> {
  const server = track(new zmq.Router({ context, plainServer: true, ...(zapDomain ? { zapDomain } : {}) }))
  const endpoint = await echoServer(server)
  const outcome = nextHandshake(server)
  const client = track(new zmq.Dealer({ context, plainUsername: username, plainPassword: password }))
  client.connect(endpoint)
  return { client, outcome }
}

/** A NULL echo server with a zapDomain (so libzmq asks the handler) and a client of it. */
async function nullClient({ context, track }: AuthContext): Promise<Client> {
  const server = track(new zmq.Router({ context, zapDomain: "test" }))
  const endpoint = await echoServer(server)
  const outcome = nextHandshake(server)
  const client = track(new zmq.Dealer({ context }))
  client.connect(endpoint)
  return { client, outcome }
}

authTest("PLAIN admits the right password and refuses a wrong one or an unknown user", async (t, ctx) => {
  ctx.auth.configurePlain("*", { admin: "secret" })
  const right = await plainClient(ctx, "admin", "secret")
  t.equal(await right.outcome, "admitted")
  t.equal(await roundTrip(right.client), "Hello World")
  t.same(await (await plainClient(ctx, "admin", "wrong")).outcome, { refused: 400 }, "wrong password")
  t.same(await (await plainClient(ctx, "eve", "secret")).outcome, { refused: 400 }, "unknown user")
  const debug = ctx.logger.messages("debug")
  t.ok(debug.includes("ALLOWED (PLAIN) domain=* username=admin"))
  t.ok(debug.includes("DENIED (PLAIN) Invalid password domain=* username=admin"))
  t.ok(debug.includes("DENIED (PLAIN) Invalid username domain=* username=eve"))
  t.notOk(
    ctx.logger.lines.some((line) => line.args.some((arg) => String(arg).includes("secret"))),
    "no password is ever logged",
  )
})

authTest("PLAIN passwords are per domain, and the table given is read at each request", async (t, ctx) => {
  const passwords = new Map([["alice", "one"]])
  ctx.auth.configurePlain("accounts", passwords)
  t.equal(await (await plainClient(ctx, "alice", "one", "accounts")).outcome, "admitted")
  t.same(await (await plainClient(ctx, "alice", "one")).outcome, { refused: 400 }, "domain '*' is not set")
  t.ok(ctx.logger.messages("debug").includes("DENIED (PLAIN) Invalid domain domain=* username=alice"))
  passwords.set("alice", "two")
  t.same(await (await plainClient(ctx, "alice", "one", "accounts")).outcome, { refused: 400 }, "old password")
  t.equal(await (await plainClient(ctx, "alice", "two", "accounts")).outcome, "admitted", "new password")
})

authTest("PLAIN without any passwords configured refuses everyone", async (t, ctx) => {
  ctx.auth.configurePlain("*", {})
  t.same(await (await plainClient(ctx, "admin", "secret")).outcome, { refused: 400 })
  t.ok(ctx.logger.messages("debug").includes("DENIED (PLAIN) No passwords defined domain=* username=admin"))
  t.ok(ctx.logger.messages("debug").includes("Configure plain: *"), "an empty table is only logged")
  ctx.auth.configurePlain("*") // pyzmq's configure_plain('*'), passwords=None: nothing changes either
  t.same(await (await plainClient(ctx, "admin", "secret")).outcome, { refused: 400 })
})

authTest("a plain-object password table is looked up by its own keys only", async (t, ctx) => {
  ctx.auth.configurePlain(undefined, { admin: "secret" })
  t.same(await (await plainClient(ctx, "constructor", "x")).outcome, { refused: 400 })
  t.ok(ctx.logger.messages("debug").includes("DENIED (PLAIN) Invalid username domain=* username=constructor"))
})

authTest("NULL clients are admitted while no address list is set", async (t, ctx) => {
  const { client, outcome } = await nullClient(ctx)
  t.equal(await outcome, "admitted")
  t.equal(await roundTrip(client), "Hello World")
  t.ok(ctx.logger.messages("debug").includes("ALLOWED (NULL)"))
})

authTest("deny() refuses the addresses listed and passes the others on", async (t, ctx) => {
  ctx.auth.deny("127.0.0.1")
  t.same(await (await nullClient(ctx)).outcome, { refused: 400 })
  t.ok(ctx.logger.messages("debug").includes("DENIED (denied) address=127.0.0.1"))
  t.ok(ctx.logger.messages("debug").includes("ZAP reply code=400 text=Address denied"))
  t.throws(() => ctx.auth.allow("127.0.0.1"), new Error("Only use allow or deny, not both"))
})

authTest("deny() of another address passes the client on to PLAIN", async (t, ctx) => {
  ctx.auth.deny("192.0.2.1", "192.0.2.2")
  ctx.auth.configurePlain("*", { admin: "secret" })
  t.equal(await (await plainClient(ctx, "admin", "secret")).outcome, "admitted")
  t.ok(ctx.logger.messages("debug").includes("Denying 192.0.2.1,192.0.2.2"))
  t.ok(ctx.logger.messages("debug").includes("PASSED (not denied) address=127.0.0.1"))
})

authTest("allow() admits the addresses listed and refuses the others", async (t, ctx) => {
  ctx.auth.allow("192.0.2.1")
  t.same(await (await nullClient(ctx)).outcome, { refused: 400 }, "127.0.0.1 is not listed")
  t.ok(ctx.logger.messages("debug").includes("ZAP reply code=400 text=Address not allowed"))
  ctx.auth.allow("127.0.0.1")
  t.equal(await (await nullClient(ctx)).outcome, "admitted", "listed now")
  t.ok(ctx.logger.messages("debug").includes("PASSED (allowed) address=127.0.0.1"))
  t.throws(() => ctx.auth.deny("192.0.2.9"), new Error("Only use allow or deny, not both"))
})

authTest("an allowed address must still pass PLAIN", async (t, ctx) => {
  ctx.auth.allow("127.0.0.1")
  ctx.auth.configurePlain("*", { admin: "secret" })
  t.same(await (await plainClient(ctx, "admin", "wrong")).outcome, { refused: 400 })
  t.equal(await (await plainClient(ctx, "admin", "secret")).outcome, "admitted")
})
