// examples/echo: the REP echo server on IOLoop.addHandler and its client, started as the README shows.
import t from "tap"
import { start } from "./helpers/run.js"

t.test("the echo client gets every message back from the echo server", async (t) => {
  const server = start(t, ["examples/echo/server.mjs"])
  const [endpoint] = await server.waitFor(/tcp:\/\/127\.0\.0\.1:\d+/)
  const client = start(t, ["examples/echo/client.mjs", endpoint, "one", "two", "three", "four"])
  t.equal(await client.exit(), 0, "the client exits 0")
  for (const word of ["one", "two", "three", "four"]) {
    t.ok(client.lines.includes(`sent "${word}", got back "${word}"`), `"${word}" came back`)
  }
  t.ok(client.lines.includes("echo client done: 4 of 4 messages echoed"))

  // The server serves one client after another.
  t.equal(await start(t, ["examples/echo/client.mjs", endpoint]).exit(), 0, "a second client is served too")

  server.child.kill("SIGTERM")
  t.equal(await server.exit(), 0, "the server stops on SIGTERM and exits 0")
  await server.waitFor(/^echo server stopped$/)
})

t.test("`pnpm example echo` starts the server and a client and exits 0", async (t) => {
  const demo = start(t, ["examples/run.mjs", "echo"])
  t.equal(await demo.exit(), 0, "the demo exits 0", { lines: demo.lines })
  t.same(demo.leftBehind(), [], "no process left")
  t.ok(demo.lines.includes('[client] sent "hello", got back "hello"'))
  t.ok(demo.lines.includes("[server] echo server stopped"), "the server was stopped, not left running")
})
