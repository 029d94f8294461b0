// The native data path in worker threads: each env has its own addon instance data and self-test, the
// environment switch and a missing addon turn it off per env, and an env torn down with attached sockets
// and a message kept in a native handle exits cleanly. The workers load the built package (dist/), so
// build first (`pnpm build`; `pnpm test` does).
import t from "tap"
import { fileURLToPath, pathToFileURL } from "node:url"
import { Worker } from "node:worker_threads"
import * as zmq from "zeromq"
import { attachOrFail, nextMessage } from "./helpers/native-data-path.js"
import { socketPair } from "./helpers/sockets.js"

const fixture = fileURLToPath(new URL("./fixtures/native-data-path-worker.mjs", import.meta.url))
const internal = pathToFileURL(fileURLToPath(new URL("../dist/internal.js", import.meta.url))).href

interface Report {
  refusal: string | null
  message?: string[]
  buffered?: boolean
  largeIntact?: boolean
}

/** Runs the fixture in a worker; resolves with its report and exit code. */
function runWorker(env: NodeJS.ProcessEnv = process.env, leavePending = false) {
  // execArgv: [] keeps tap's TypeScript loader out of the worker, which runs plain JavaScript.
  const worker = new Worker(fixture, { env, execArgv: [], workerData: { internal, leavePending } })
  let report: Report | undefined
  worker.on("message", (message: Report) => (report = message))
  return new Promise<{ report: Report | undefined; code: number }>((resolve, reject) => {
    worker.on("error", reject)
    worker.on("exit", (code) => resolve({ report, code }))
  })
}

t.test("worker threads each run the native data path, alongside the main thread", async (t) => {
  const [pull, push] = await socketPair(t, new zmq.Pull(), new zmq.Push())
  const workers = [runWorker(), runWorker()]
  t.ok(attachOrFail(push).send(["main", "thread"]))
  t.same((await nextMessage(t, attachOrFail(pull))).map(String), ["main", "thread"])
  const results = await Promise.all(workers)
  for (const { report, code } of results) {
    t.equal(code, 0)
    t.equal(report?.refusal, null, "the worker's self-test passed")
    t.equal(report?.message?.[0], "from worker")
    t.equal(report?.buffered, true, "the larger message waited in the handle")
    t.equal(report?.largeIntact, true, "a large frame, received without a copy, arrived intact")
  }
  t.not(results[0].report?.message?.[1], results[1].report?.message?.[1], "two threads")
})

t.test(
  "a worker torn down with attached sockets, a message kept natively and a large message in libzmq exits cleanly",
  async (t) => {
    const { report, code } = await runWorker(process.env, true)
    t.equal(report?.refusal, null)
    t.equal(code, 0)
  },
)

t.test("ZMQ_EVENTLOOP_NATIVE=0 turns the native data path off", async (t) => {
  const { report } = await runWorker({ ...process.env, ZMQ_EVENTLOOP_NATIVE: "0" })
  t.same(report, { refusal: "ZMQ_EVENTLOOP_NATIVE=0" })
})

t.test("an addon that cannot be loaded turns it off, with the loader's reason", async (t) => {
  const { report } = await runWorker({ ...process.env, ZMQ_EVENTLOOP_ADDON: "/nonexistent/fd_watcher.node" })
  t.match(
    report?.refusal,
    /^no native data path in the addon: ZMQ_EVENTLOOP_ADDON \/nonexistent\/fd_watcher\.node: not found/,
  )
})
