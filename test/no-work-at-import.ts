// Importing the packages does no work: no top-level await (so CommonJS can require() them and esbuild
// can bundle them as CommonJS), no socket on zeromq.js's global context (so its settings stay the
// user's), and nothing a terminated worker thread could leave pending. The native data path checks
// itself at the first attach instead, on a private context, synchronously.
import t from "tap"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import { tmpdir } from "node:os"
import { delimiter, join } from "node:path"
import { pathToFileURL } from "node:url"
import { root } from "./helpers/workspace-packages.js"

const fixtures = join(root, "test", "fixtures")
const prebuild = join(
  root,
  "packages",
  "ioloop",
  "prebuilds",
  `${process.platform}-${process.arch}`,
  "zmq_eventloop.node",
)
// Where a program outside the workspace finds every package and zeromq: the examples' dependencies.
const nodePath = [join(root, "examples", "node_modules")]
const skip = fs.existsSync(prebuild) ? false : `no prebuild for ${process.platform}-${process.arch}`

function runNode(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, args, {
    cwd: tmpdir(),
    encoding: "utf8",
    timeout: 90_000,
    env: { ...process.env, NODE_PATH: nodePath.join(delimiter), ...env },
  })
}

t.test(
  "a CommonJS program require()s every package and streams on the native data path",
  { skip },
  async (t) => {
    const ran = runNode([join(fixtures, "use-every-package.cjs")])
    t.equal(ran.status, 0, "it runs", { stderr: ran.stderr })
    t.equal(ran.stdout.trim(), "fd native hello")
    t.notMatch(ran.stderr, "ERR_REQUIRE_ASYNC_MODULE")
  },
)

for (const shim of [true, false]) {
  t.test(
    `an esbuild CommonJS bundle of every package runs (${shim ? "with" : "without"} an import.meta.url shim)`,
    { skip },
    async (t) => {
      const { buildSync } = await import("esbuild")
      const dir = fs.mkdtempSync(join(tmpdir(), "zmq-eventloop-bundle-"))
      t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
      const bundle = join(dir, "bundle.cjs")
      const built = buildSync({
        entryPoints: [join(fixtures, "use-every-package.cjs")],
        bundle: true,
        platform: "node",
        format: "cjs",
        outfile: bundle,
        nodePaths: nodePath,
        // zeromq's addon cannot be bundled; ours is found through ZMQ_EVENTLOOP_ADDON (the bundle is not in
        // the package).
        external: ["zeromq"],
        // The usual shim for import.meta.url in a CommonJS bundle; without it, import.meta.url is empty.
        ...(shim && {
          define: { "import.meta.url": "__bundle_url" },
          banner: { js: 'const __bundle_url = require("node:url").pathToFileURL(__filename).href;' },
        }),
        logLevel: "silent",
      })
      t.same(built.errors, [], "esbuild bundles it")
      const ran = runNode([bundle], { ZMQ_EVENTLOOP_ADDON: prebuild })
      t.equal(ran.status, 0, "the bundle runs", { stderr: ran.stderr })
      t.equal(ran.stdout.trim(), "fd native hello")
      if (shim) return
      const unset = runNode([bundle], { ZMQ_EVENTLOOP_ADDON: "" })
      t.equal(unset.status, 0, "without ZMQ_EVENTLOOP_ADDON it runs too", { stderr: unset.stderr })
      t.equal(unset.stdout.trim(), "interval zeromq.js hello", "on the fallbacks")
      t.match(unset.stderr, /import\.meta\.url is empty: a CommonJS bundle\?\); set ZMQ_EVENTLOOP_ADDON/)
    },
  )
}

t.test("maxSockets set after the import holds, the native data path in use", { skip }, async (t) => {
  const program = `
    import * as zmq from "zeromq"
    import { ZMQStream } from "@zmq-eventloop/zmqstream"
    // The first stream runs the native data path's self-test; its socket is on a context of its own.
    const first = new ZMQStream(new zmq.Pair({ context: new zmq.Context() }))
    const dataPath = first.dataPath
    first.close(0)
    zmq.context.maxSockets = 2000
    const sockets = []
    try {
      while (sockets.length < 1500) sockets.push(new zmq.Dealer())
    } catch (error) {
      console.log("failed after", sockets.length, error.code)
    }
    console.log(dataPath, sockets.length)
    for (const socket of sockets) socket.close()
  `
  // An ES module resolves packages from its folder only (NODE_PATH is CommonJS's): run it in examples/.
  const ran = spawnSync(process.execPath, ["--input-type=module", "-e", program], {
    cwd: join(root, "examples"),
    encoding: "utf8",
    timeout: 90_000,
  })
  t.equal(ran.status, 0, "it runs", { stderr: ran.stderr })
  t.equal(ran.stdout.trim(), "native 1500", "1500 sockets open on the global context")
})

// Skipped unless TEST_WORKER_TEARDOWN=1: zeromq.js 6.8.0 itself aborts the process ("terminate called
// after throwing an instance of 'Napi::Error'") when workers that do nothing but require("zeromq") are
// terminated: 1 run in 1 to 5 of 200 such workers (this fixture with the worker body reduced to the
// require). This test cannot be reliably green until zeromq.js is fixed.
const workerTeardownSkip =
  skip ||
  (process.env.TEST_WORKER_TEARDOWN === "1"
    ? false
    : "zeromq.js itself aborts when a worker that only require()s it is terminated (TEST_WORKER_TEARDOWN=1 runs it)")

t.test(
  "200 worker threads terminated while they import zmqstream and make a stream: the process survives",
  { skip: workerTeardownSkip },
  async (t) => {
    const zmqstreamUrl = pathToFileURL(join(root, "packages", "zmqstream", "dist", "index.js")).href
    // 8 at a time: with 200 at once, workers that only require("zeromq") abort the process about one run
    // in five (zeromq.js's own teardown, without any code of ours running).
    const ran = runNode([join(fixtures, "import-in-workers.mjs"), zmqstreamUrl, "200", "8", "600"])
    t.equal(ran.signal, null, "no signal (zeromq.js aborts with SIGABRT)")
    t.equal(ran.status, 0, "exit 0", { stderr: ran.stderr.slice(-2000) })
    t.equal(ran.stdout.trim(), "200 workers terminated")
  },
)
