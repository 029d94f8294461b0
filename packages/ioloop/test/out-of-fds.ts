// A process at its fd limit when it makes its first IOLoop or its first stream's data path: the addon's
// load (dlopen opens the file) and the data path's self-test (a zeromq.js context and sockets) fail for
// want of fds, and both outcomes are kept for the process's life. Such a failure must be neither kept
// (later loops on the interval poller, later streams on zeromq.js's data path, for good) nor fatal (libzmq
// aborts the process when a context cannot make its epoll fd). Run in a child whose fd limit `prlimit`
// lowers (lowering needs no privilege), once per number of fds left free.
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import t from "tap"
import { NO_NATIVE_DATA_PATH } from "./helpers/loop.js"
import { CHILD_NODE } from "./helpers/child-node.js"

const FD_LIMIT = 256

const program = `
  import { closeSync, openSync } from "node:fs"
  import * as zmq from "zeromq"
  import { IOLoop } from "@zmq-eventloop/ioloop"
  import { attachDataPath, NativeDataPath } from "@zmq-eventloop/ioloop/internal"
  const warnings = []
  const logger = { error: console.error, info() {}, debug() {}, warn: (line) => warnings.push(String(line)) }
  const pull = new zmq.Pull() // its context and its own fds first, as a program's socket has them
  const fillers = []
  try {
    for (;;) fillers.push(openSync("/dev/null", "r"))
  } catch (error) {
    if (error.code !== "EMFILE") throw error
  }
  const free = (count) => fillers.splice(0, count).forEach((fd) => closeSync(fd))
  free(Number(process.env.SPARE_FDS))
  const describe = (path) => (path instanceof NativeDataPath ? "native" : path)
  const first = { poller: new IOLoop({ makeCurrent: false, logger }).pollerKind, dataPath: describe(attachDataPath(pull)) }
  free(fillers.length)
  const then = { poller: new IOLoop({ makeCurrent: false, logger }).pollerKind, dataPath: describe(attachDataPath(pull)) }
  pull.close()
  console.log(JSON.stringify({ first, then, warnings }))
`

const prlimit = spawnSync("prlimit", ["--version"], { encoding: "utf8" })
const skip = prlimit.status === 0 ? false : "util-linux prlimit is not installed"
/** This process's environment, with `spare` for the program and the native data path not switched off. */
function childEnv(spare: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, SPARE_FDS: String(spare) }
  delete env.ZMQ_EVENTLOOP_NATIVE
  return env
}

/** Runs `program` under the fd limit, in the package's own folder (it resolves zeromq and itself by name). */
function runUnderLimit(program: string, spare: number) {
  return spawnSync(
    "prlimit",
    [`--nofile=${FD_LIMIT}:${FD_LIMIT}`, CHILD_NODE, "--input-type=module", "-e", program],
    {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      encoding: "utf8",
      timeout: 60_000,
      env: childEnv(spare),
    },
  )
}

for (const spare of [0, 2, 4, 6, 8]) {
  t.test(
    `with ${spare} fds free, the first loop's addon load and the first attach fail for now, and the next ones work`,
    { skip: skip || NO_NATIVE_DATA_PATH },
    async (t) => {
      const ran = runUnderLimit(program, spare)
      t.equal(ran.status, 0, "the process was not aborted", { stderr: ran.stderr, signal: ran.signal })
      const { first, then, warnings } = JSON.parse(ran.stdout.trim() || "{}")
      t.match(first?.dataPath, { reason: /out of file descriptors/, transient: true }, "refused for now")
      if (first?.poller === "interval") {
        t.match(warnings, [/the process is out of file descriptors, so the addon could not be opened/])
      }
      t.same(
        then,
        { poller: "fd", dataPath: "native" },
        "once fds are free, the addon and the data path work",
      )
    },
  )
}

t.test(
  "a loop made at the fd limit, with the addon loaded, polls on the timer and says so; the next one has its set",
  { skip },
  async (t) => {
    const program = `
      import { closeSync, openSync } from "node:fs"
      import { IOLoop } from "@zmq-eventloop/ioloop"
      const warnings = []
      const logger = { error: console.error, info() {}, debug() {}, warn: (line) => warnings.push(String(line)) }
      const loaded = new IOLoop({ makeCurrent: false, logger })
      const fillers = []
      try {
        for (;;) fillers.push(openSync("/dev/null", "r"))
      } catch (error) {
        if (error.code !== "EMFILE") throw error
      }
      const atLimit = new IOLoop({ makeCurrent: false, logger })
      fillers.forEach((fd) => closeSync(fd))
      const after = new IOLoop({ makeCurrent: false, logger })
      console.log(JSON.stringify({ pollers: [loaded, atLimit, after].map((loop) => loop.pollerKind), warnings }))
      for (const loop of [loaded, atLimit, after]) loop.close()
    `
    const ran = runUnderLimit(program, 0)
    t.equal(ran.status, 0, "the program runs", { stderr: ran.stderr })
    const { pollers, warnings } = JSON.parse(ran.stdout.trim() || "{}")
    t.same(pollers, ["fd", "interval", "fd"])
    t.match(warnings, [/out of file descriptors \(EMFILE\), so this loop could not make its epoll set/])
  },
)
