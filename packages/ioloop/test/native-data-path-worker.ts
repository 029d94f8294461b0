// The native data path in worker threads: each env has its own addon instance data, and a self-test unless
// its first attach adopts the layout another env proved (which leaves no fds behind); the environment
// switch and a missing addon turn it off per env, and an env torn down with attached sockets and a message
// kept in a native handle exits cleanly. The workers load the built package (dist/), so
// build first (`pnpm build`; `pnpm test` does).
import t from "tap"
import { spawnSync } from "node:child_process"
import { readdirSync } from "node:fs"
import { fileURLToPath, pathToFileURL } from "node:url"
import { Worker } from "node:worker_threads"
import * as zmq from "zeromq"
import { attachOrFail, nextMessage } from "./helpers/native-data-path.js"
import { socketPair } from "./helpers/sockets.js"
import { CHILD_NODE } from "./helpers/child-node.js"

const fixture = fileURLToPath(new URL("./fixtures/native-data-path-worker.mjs", import.meta.url))
const internal = pathToFileURL(fileURLToPath(new URL("../dist/internal.js", import.meta.url))).href

interface Report {
  refusal: string | null
  attached?: boolean
  message?: string[]
  buffered?: boolean
  largeIntact?: boolean
}

/** Runs the fixture in a worker; resolves with its report and exit code. */
function runWorker(env: NodeJS.ProcessEnv = process.env, leavePending = false, attachFirst = false) {
  // execArgv: [] keeps tap's TypeScript loader out of the worker, which runs plain JavaScript.
  const worker = new Worker(fixture, {
    env,
    execArgv: [],
    workerData: { internal, leavePending, attachFirst },
  })
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

t.test(
  "a worker whose first native call is an attach adopts the layout the main thread proved: no self-test, no fds left behind",
  async (t) => {
    // zeromq.js 6 terminates a worker's private zmq.Context (the self-test's) only at process exit.
    const [pull, push] = await socketPair(t, new zmq.Pull(), new zmq.Push())
    t.ok(attachOrFail(push).send("main thread first"), "the main thread's self-test passed")
    await nextMessage(t, attachOrFail(pull))
    const before = readdirSync("/proc/self/fd").length
    const WORKERS = 6
    for (let i = 0; i < WORKERS; i++) {
      const { report, code } = await runWorker(process.env, false, true)
      t.equal(code, 0)
      t.same(report, { refusal: null, attached: true }, "attached on the native data path")
    }
    const added = readdirSync("/proc/self/fd").length - before
    t.ok(added < WORKERS, `${added} fds more after ${WORKERS} workers (a self-test each leaves 3)`)
  },
)

t.test(
  "workers of a main thread that uses zeromq.js but not this package: the first one's self-test serves them all",
  async (t) => {
    // Node unloads an addon with the last env that loaded it: the proven layouts must outlive the first worker.
    const WORKERS = 10
    const workersOnly = fileURLToPath(new URL("./fixtures/workers-only.mjs", import.meta.url))
    const ran = spawnSync(CHILD_NODE, [workersOnly, internal, String(WORKERS)], {
      encoding: "utf8",
      timeout: 60_000,
    })
    t.equal(ran.status, 0, "the program runs", { stderr: ran.stderr })
    const { reports, added } = JSON.parse(ran.stdout.trim() || "{}") as { reports: Report[]; added: number }
    t.same(reports, Array(WORKERS).fill({ refusal: null, attached: true }), "every worker attached natively")
    t.ok(
      added < 3 + WORKERS,
      `${added} fds more after ${WORKERS} workers (one self-test leaves 3; one each, ${3 * WORKERS})`,
    )
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
