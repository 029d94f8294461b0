// examples/lazy-pirate: the Lazy Pirate client (zguide lpclient) on a Poller, against its REP server that
// drops every third request, started as the README shows; zguide's Python lpclient against the same server
// (Debian's python3-zmq, skipped with the reason when missing); the client without a server.
import { spawnSync } from "node:child_process"
import t from "tap"
import { start, startProgram } from "./helpers/run.js"

const PYTHON = "/usr/bin/python3"
const pyzmqSkip =
  spawnSync(PYTHON, ["-c", "import zmq"]).status === 0
    ? false
    : `${PYTHON} cannot import zmq (apt-get install python3-zmq)`

t.test("the client gets every reply although the server drops every third request", async (t) => {
  const server = start(t, ["examples/lazy-pirate/server.mjs", "--drop-every", "3"])
  const [endpoint] = await server.waitFor(/tcp:\/\/127\.0\.0\.1:\d+/)
  // 1 s per try: a dropped request costs one try, and the next one is answered.
  const client = start(t, [
    "examples/lazy-pirate/client.mjs",
    endpoint,
    "--requests",
    "8",
    "--timeout",
    "1000",
  ])
  t.equal(await client.exit(), 0, "the client exits 0")
  const replies = client.lines.filter((line) => line.startsWith("client: server replied OK"))
  t.same(
    replies,
    Array.from({ length: 8 }, (_, n) => `client: server replied OK (${n})`),
    "one reply per request, in order",
  )
  t.ok(client.lines.includes("client: 8 of 8 requests answered"))

  const drops = server.lines.filter((line) => /^server: dropping request \(\d+\), #\d+ received$/.test(line))
  t.ok(drops.length >= 2, `the server dropped requests: ${drops.join("; ")}`)
  const retried = client.lines.filter((line) => line.startsWith("client: resending"))
  t.ok(retried.length >= 1, "the client sent the dropped requests again")

  server.child.kill("SIGTERM")
  t.equal(await server.exit(), 0, "the server stops on SIGTERM and exits 0")
  t.match(server.lines.at(-1), /^server stopped: received \d+, answered \d+, dropped \d+$/)
})

t.test("zguide's Python lpclient gets every reply from the server", { skip: pyzmqSkip }, async (t) => {
  const server = start(t, ["examples/lazy-pirate/server.mjs", "--drop-every", "3"])
  const [endpoint] = await server.waitFor(/tcp:\/\/127\.0\.0\.1:\d+/)
  const client = startProgram(t, PYTHON, ["examples/test/fixtures/lpclient.py", endpoint, "5", "1000"])
  t.equal(await client.exit(), 0, client.lines.join("\n"))
  t.same(
    client.lines.filter((line) => line.startsWith("Server replied OK")),
    Array.from({ length: 5 }, (_, n) => `Server replied OK (${n})`),
  )
  t.ok(client.lines.includes("No response from server"), "it retried a dropped request")
  t.equal(client.lines.at(-1), "5 of 5 requests answered")
  server.child.kill("SIGTERM")
  t.equal(await server.exit(), 0)
})

t.test("the client gives up cleanly when the server is gone", async (t) => {
  const server = start(t, ["examples/lazy-pirate/server.mjs", "--drop-every", "0"])
  const [endpoint] = await server.waitFor(/tcp:\/\/127\.0\.0\.1:\d+/)
  const client = start(t, [
    ...["examples/lazy-pirate/client.mjs", endpoint],
    ...["--requests", "100000", "--timeout", "300", "--retries", "3"],
  ])
  await client.waitFor(/^client: server replied OK \(3\)$/)
  server.child.kill("SIGKILL")
  t.equal(await client.exit(), 1, "the client exits 1")
  const lastReply = client.lines.findLastIndex((line) => line.startsWith("client: server replied OK"))
  const tail = client.lines.slice(lastReply + 1)
  t.same(tail.filter((line) => line === "client: no response from server").length, 3, "three tries")
  t.equal(tail.at(-2), "client: server seems to be offline, abandoning")
  t.match(tail.at(-1), /^client: \d+ of 100000 requests answered$/)
})

t.test("both programs stop at their deadline and say what is missing", async (t) => {
  const client = start(t, [
    ...["examples/lazy-pirate/client.mjs", "tcp://127.0.0.1:1"],
    ...["--requests", "4", "--timeout", "60000", "--deadline", "200"],
  ])
  t.equal(await client.exit(), 1)
  t.ok(
    client.lines.includes(
      "client: deadline of 200 ms passed: no reply to request (0) after 1 of 3 tries; 4 of 4 requests unanswered",
    ),
    client.lines.join("\n"),
  )
  const server = start(t, ["examples/lazy-pirate/server.mjs", "--deadline", "200"])
  t.equal(await server.exit(), 1)
  t.ok(
    server.lines.includes(
      "server: deadline of 200 ms passed while waiting for a request (received 0, answered 0, dropped 0)",
    ),
    server.lines.join("\n"),
  )
})

t.test("bad command lines get the reason and the usage, exit code 2", async (t) => {
  const cases = [
    [["examples/lazy-pirate/client.mjs"], "expected 1 argument, got 0"],
    [["examples/lazy-pirate/client.mjs", "tcp://127.0.0.1:5555", "--bogus"], "Unknown option '--bogus'"],
    [
      ["examples/lazy-pirate/client.mjs", "tcp://127.0.0.1:5555", "--retries", "x"],
      '--retries must be an integer >= 1, got "x"',
    ],
    [
      ["examples/lazy-pirate/client.mjs", "localhost:5555"],
      'argument 1 must be a zmq endpoint like tcp://127.0.0.1:5555, got "localhost:5555"',
    ],
    [
      ["examples/lazy-pirate/server.mjs", "--drop-every", "some"],
      '--drop-every must be an integer >= 0, got "some"',
    ],
  ] as const
  for (const [args, reason] of cases) {
    const run = start(t, [...args])
    t.equal(await run.exit(), 2, args.join(" "))
    t.ok(run.lines[0]?.startsWith(reason), `${run.lines[0]} starts with ${reason}`)
    t.match(run.lines[1], /^usage: node examples\/lazy-pirate\//)
  }
})

t.test("`pnpm example lazy-pirate` runs the server and a client and exits 0", async (t) => {
  const demo = start(t, ["examples/run.mjs", "lazy-pirate"])
  t.equal(await demo.exit(), 0, "the demo exits 0", { lines: demo.lines })
  t.ok(demo.lines.includes("[client] client: 6 of 6 requests answered"), demo.lines.join("\n"))
  t.ok(demo.lines.some((line) => line.startsWith("[server] server: dropping request")))
  t.ok(
    demo.lines.some((line) => line.startsWith("[server] server stopped:")),
    "the server was stopped",
  )
})
