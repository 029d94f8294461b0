// Streams in worker threads, ended the supported way: the worker closes its streams and its loop and ends by
// itself (worker.terminate() mid-traffic can abort the whole process: zeromq.js's native methods throw C++
// exceptions while Node tears a worker down, README "Worker threads"). The workers load the built package
// (dist/), so build first (`pnpm build`; `pnpm test` does).
import { fileURLToPath } from "node:url"
import { Worker } from "node:worker_threads"
import t from "tap"
import { DATA_PATHS } from "./helpers/loop.js"

const fixture = fileURLToPath(new URL("./fixtures/stream-worker.mjs", import.meta.url))
const zmqstream = new URL("../dist/index.js", import.meta.url).href
const nativeHere = process.platform === "linux" && process.arch === "x64"

interface Report {
  running?: true
  dataPath?: string
  received?: number
  inOrder?: boolean
  kept?: number
}

/** Runs one worker, asks it to stop once it is in mid-traffic; resolves with its last report and exit code. */
function runWorker(id: number, env: NodeJS.ProcessEnv, exit: boolean) {
  // execArgv: [] keeps tap's TypeScript loader out of the worker, which runs plain JavaScript.
  const worker = new Worker(fixture, { env, execArgv: [], workerData: { id, zmqstream, exit } })
  let report: Report | undefined
  worker.on("message", (message: Report) => {
    if (message.running) worker.postMessage("stop")
    else report = message
  })
  return new Promise<{ report: Report | undefined; code: number }>((resolve, reject) => {
    worker.on("error", reject)
    worker.on("exit", (code) => resolve({ report, code }))
  })
}

for (const dataPath of DATA_PATHS) {
  t.test(
    `workers stopped in mid-traffic close their streams and exit cleanly, one after another and at once (${dataPath} data path)`,
    async (t) => {
      const env = { ...process.env }
      if (dataPath === "zeromq.js") env.ZMQ_EVENTLOOP_NATIVE = "0"
      else delete env.ZMQ_EVENTLOOP_NATIVE
      const results = []
      for (let id = 0; id < 6; id++) results.push(await runWorker(id, env, id % 2 === 1))
      results.push(...(await Promise.all([6, 7, 8, 9].map((id) => runWorker(id, env, id % 2 === 1)))))
      for (const { report, code } of results) {
        t.equal(code, 0, "the worker exited by itself")
        t.equal(report?.dataPath, nativeHere ? dataPath : "zeromq.js")
        t.ok(report!.received! >= 100, `it received what it reported (${report?.received})`)
        t.equal(report?.inOrder, true, "in order")
      }
    },
  )
}
