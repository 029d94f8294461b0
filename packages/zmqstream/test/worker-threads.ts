// Streams in worker threads, ended the supported way: the worker closes its streams and its loop and ends by
// itself (worker.terminate() mid-traffic can abort the whole process: zeromq.js's native methods throw C++
// exceptions while Node tears a worker down, README "Worker threads"). The workers load the built package
// (dist/), so build first (`pnpm build`; `pnpm test` does).
import { fileURLToPath } from "node:url"
import { Worker } from "node:worker_threads"
import t from "tap"
import * as zmq from "zeromq"
import { IOLoop } from "@zmq-eventloop/ioloop"
import { ZMQStream } from "../src/index.js"
import { bindAny, DATA_PATHS, deferred, NATIVE_DATA_PATH_HERE, useDataPath } from "./helpers/loop.js"

const fixture = fileURLToPath(new URL("./fixtures/stream-worker.mjs", import.meta.url))
const bigFrameFixture = fileURLToPath(new URL("./fixtures/big-frame-worker.mjs", import.meta.url))
const zmqstream = new URL("../dist/index.js", import.meta.url).href

interface Report {
  running?: true
  dataPath?: string
  /** Why the stream is not on the native path: the env's refusal, or null for the socket's own. */
  refusal?: string | null
  received?: number
  inOrder?: boolean
  kept?: number
}

/** Runs one worker, asks it to stop once it is in mid-traffic; resolves with its last report and exit code. */
function runWorker(id: number, env: NodeJS.ProcessEnv, exit: boolean) {
  const largeAsString = env.ZMQ_EVENTLOOP_NATIVE === "0" || !NATIVE_DATA_PATH_HERE
  // execArgv: [] keeps tap's TypeScript loader out of the worker, which runs plain JavaScript.
  const worker = new Worker(fixture, {
    env,
    execArgv: [],
    workerData: { id, zmqstream, exit, largeAsString },
  })
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
      useDataPath(t, dataPath)
      const env = { ...process.env }
      const results = []
      for (let id = 0; id < 6; id++) results.push(await runWorker(id, env, id % 2 === 1))
      results.push(...(await Promise.all([6, 7, 8, 9].map((id) => runWorker(id, env, id % 2 === 1)))))
      for (const { report, code } of results) {
        t.equal(code, 0, "the worker exited by itself")
        t.equal(report?.dataPath, NATIVE_DATA_PATH_HERE ? dataPath : "zeromq.js", JSON.stringify(report))
        t.ok(report!.received! >= 100, `it received what it reported (${report?.received})`)
        t.equal(report?.inOrder, true, "in order")
      }
    },
  )
}

for (const dataPath of DATA_PATHS) {
  t.test(
    `large frames a worker sent stay intact in the thread that received them after the worker ended (${dataPath} data path)`,
    {
      skip:
        dataPath === "zeromq.js" &&
        "zeromq.js sends a worker's parts of more than 128 bytes from the worker's memory, which is freed when " +
          'the worker ends (README "Worker threads"): reading such a frame then is a SIGSEGV',
    },
    async (t) => {
      useDataPath(t, dataPath)
      const loop = new IOLoop({ makeCurrent: false })
      const pull = new zmq.Pull()
      const endpoint = await bindAny(pull, "inproc")
      const receiver = new ZMQStream(pull, loop)
      const running = loop.start()
      t.teardown(async () => {
        loop.stop()
        await running
        receiver.close(0)
        loop.close()
      })
      // 1 MiB each: above glibc's mmap threshold, so memory freed with the worker is unmapped, not only reused.
      const sizes = [1 << 20, 1 << 20, 64 * 1024, 1 << 20]
      const fill = 0xa0
      const kept: Buffer[] = []
      const allReceived = deferred()
      receiver.onRecv((msg) => {
        kept.push(msg[0]!)
        if (kept.length === sizes.length) allReceived.resolve()
      })
      const worker = new Worker(bigFrameFixture, {
        execArgv: [],
        workerData: { zmqstream, endpoint, sizes, fill },
      })
      const exited = new Promise<number>((resolve, reject) => {
        worker.on("error", reject)
        worker.on("exit", resolve)
      })
      await allReceived.wait("the worker's frames")
      t.equal(await exited, 0, "the worker ended by itself")
      t.equal(receiver.dataPath, NATIVE_DATA_PATH_HERE ? dataPath : "zeromq.js")
      // What the worker's isolate freed is handed out again: a frame still pointing there would change.
      for (let i = 0; i < 64; i++) Buffer.alloc(1 << 20, 0x11)
      t.same(
        kept.map((frame) => frame.length),
        sizes,
      )
      kept.forEach((frame, index) =>
        t.ok(
          frame.every((byte) => byte === fill + index),
          `frame ${index} is as sent`,
        ),
      )
    },
  )
}
