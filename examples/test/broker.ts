// examples/broker: broker, workers and clients in separate processes; a worker SIGKILLed mid-run.
import t from "tap"
import { alive, start } from "./helpers/run.js"

const HEARTBEAT = ["--heartbeat", "100"] // fast heartbeats, so a dead worker is noticed in 300 ms

t.test("with a worker SIGKILLed mid-run, every request still gets exactly one reply", async (t) => {
  const broker = start(t, ["examples/broker/broker.mjs", ...HEARTBEAT])
  const [, frontend] = await broker.waitFor(/frontend (\S+)/)
  const [, backend] = await broker.waitFor(/backend (\S+)/)
  const workers = ["w1", "w2", "w3"].map((name) =>
    start(t, ["examples/broker/worker.mjs", backend, "--name", name, "--delay", "20", ...HEARTBEAT]),
  )
  await broker.waitFor(/\(3 workers\)/)

  const clients = ["c1", "c2", "c3"].map((name) =>
    start(t, ["examples/broker/client.mjs", frontend, "--name", name, "--requests", "40"]),
  )
  // w1 is kept busy (120 requests for 3 workers): right after a reply it holds its next request.
  await workers[0].waitFor(/^worker w1 handled request \d+ \(2 so far\)/)
  workers[0].child.kill("SIGKILL")
  t.equal(await workers[0].exit(), "SIGKILL")

  for (const [i, client] of clients.entries()) {
    t.equal(await client.exit(), 0, `client c${i + 1} exits 0`)
    t.ok(client.lines.includes(`client c${i + 1}: 40 of 40 requests answered, 0 duplicates`))
    const replies = client.lines.filter((line) => / -> c\d#\d+ handled by w\d$/.test(line))
    t.equal(replies.length, 40, "one reply line per request")
  }
  await broker.waitFor(/^worker \w+ is dead, request \d+ re-queued$/)
  t.pass("the broker dropped the dead worker and re-queued its request")

  for (const p of [broker, workers[1], workers[2]]) p.child.kill("SIGTERM")
  for (const p of [broker, workers[1], workers[2]]) t.equal(await p.exit(), 0, "exits 0 on SIGTERM")
  t.match(broker.lines.at(-1), /^broker stopped \(0 requests unanswered\)$/)
  t.notOk(
    [broker, ...workers, ...clients].some((p) => alive(p.child.pid!)),
    "no process left",
  )
})

t.test("a worker reconnects when the broker goes silent", async (t) => {
  const broker = start(t, ["examples/broker/broker.mjs", ...HEARTBEAT])
  const [, backend] = await broker.waitFor(/backend (\S+)/)
  const worker = start(t, ["examples/broker/worker.mjs", backend, "--name", "lonely", ...HEARTBEAT])
  await broker.waitFor(/\(1 workers\)/)
  broker.child.kill("SIGKILL")
  await worker.waitFor(/^worker lonely: broker silent, reconnecting$/)
  worker.child.kill("SIGTERM")
  t.equal(await worker.exit(), 0)
})

t.test("`pnpm example broker` runs a broker, 2 workers and a client and exits 0", async (t) => {
  const demo = start(t, ["examples/run.mjs", "broker"])
  t.equal(await demo.exit(), 0, "the demo exits 0", { lines: demo.lines })
  t.same(demo.leftBehind(), [], "no process left")
  t.ok(
    demo.lines.some((line) => /^\[client\] client \d+: 10 of 10 requests answered, 0 duplicates$/.test(line)),
  )
})
