// examples/asyncweb: node:http front end, zmq workers (in-process and a separate worker process).
import t from "tap"
import { alive, start } from "./helpers/run.js"

t.test("200 concurrent HTTP requests with distinct payloads all get their own answers", async (t) => {
  const server = start(t, ["examples/asyncweb/server.mjs", "--workers", "3"])
  const [backend] = await server.waitFor(/tcp:\/\/127\.0\.0\.1:\d+/)
  const [url] = await server.waitFor(/http:\/\/127\.0\.0\.1:\d+\//)
  const worker = start(t, ["examples/asyncweb/worker.mjs", backend, "--name", "external"])
  await worker.waitFor(/^worker external connected/)
  // The backend DEALER deals only to the workers whose connection it has taken in, which comes after the
  // worker's connect(): ask until the external worker has answered once.
  const deadline = Date.now() + 15_000
  while (!(await (await fetch(`${url}?q=first`)).text()).endsWith("from worker external")) {
    if (Date.now() > deadline) throw new Error("the external worker answered no request within 15 s")
  }

  const answers = await Promise.all(
    Array.from({ length: 200 }, async (_, i) => {
      const payload = `payload ${i} ${"x".repeat(i % 7)}`
      const response = await fetch(url, { method: "POST", body: payload })
      return { payload, status: response.status, answer: await response.text() }
    }),
  )
  const wrong = answers.filter(
    ({ payload, status, answer }) => status !== 200 || !answer.startsWith(`${payload} to you too, #`),
  )
  t.same(wrong, [], "every answer is 200 and answers its own payload")
  const byWorker = (name: string) =>
    answers.filter(({ answer }) => answer.endsWith(`from worker ${name}`)).length
  t.ok(byWorker("external") > 0, "the worker in its own process took a share")
  t.ok(byWorker("in-process 1") > 0, "the in-process workers took a share")

  const get = await fetch(`${url}?q=hi%20there`)
  t.match(await get.text(), /^hi there to you too, #\d+ from worker /, "GET ?q= works as the README shows")

  server.child.kill("SIGTERM")
  worker.child.kill("SIGTERM")
  t.equal(await server.exit(), 0, "the server exits 0 on SIGTERM")
  t.equal(await worker.exit(), 0, "the worker exits 0 on SIGTERM")
  t.notOk(alive(server.child.pid!) || alive(worker.child.pid!), "no process left")
})

t.test("`pnpm example asyncweb` runs the server and a client and exits 0", async (t) => {
  const demo = start(t, ["examples/run.mjs", "asyncweb"])
  t.equal(await demo.exit(), 0, "the demo exits 0", { lines: demo.lines })
  t.same(demo.leftBehind(), [], "no process left")
  t.ok(demo.lines.some((line) => /^\[client\] 5 of 5 requests answered correctly/.test(line)))
})
