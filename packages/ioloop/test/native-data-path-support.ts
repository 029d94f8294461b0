// When the native data path is used at all (src/native/availability.ts, self-test.ts): the environment
// switch, a missing addon, and a self-test that learns zeromq.js's layout and fails on each fact it
// checks (the addon is real; one of its functions is replaced per case to break one fact).
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import t from "tap"
import * as zmq from "zeromq"
import { checkNativeDataPath } from "../src/native/availability.js"
import {
  loadDataPathAddon,
  type DataPathAddon,
  type DataPathHandle,
  type NativeMessagePart,
} from "../src/native/addon.js"
import { runSelfTest } from "../src/native/self-test.js"
import { CHILD_NODE } from "./helpers/child-node.js"
import { NO_NATIVE_DATA_PATH } from "./helpers/loop.js"
import { addon } from "./helpers/native-data-path.js"

/** The real addon with some functions replaced: one broken fact per self-test case. */
class BrokenAddon implements DataPathAddon {
  constructor(private readonly replaced: Partial<DataPathAddon>) {}
  learnLayout(probe: object, fd: number, type: number): string | null {
    return (this.replaced.learnLayout ?? addon.learnLayout)(probe, fd, type)
  }
  shareLayout(): void {
    ;(this.replaced.shareLayout ?? addon.shareLayout)()
  }
  adoptLayout(socket: object): string | null {
    return (this.replaced.adoptLayout ?? addon.adoptLayout)(socket)
  }
  attach(socket: object, fd: number, type: number): DataPathHandle | string {
    return (this.replaced.attach ?? addon.attach)(socket, fd, type)
  }
  receiveBatch(...args: Parameters<DataPathAddon["receiveBatch"]>) {
    return (this.replaced.receiveBatch ?? addon.receiveBatch)(...args)
  }
  send(handle: DataPathHandle, message: readonly NativeMessagePart[] | NativeMessagePart): boolean {
    return (this.replaced.send ?? addon.send)(handle, message)
  }
  events(handle: DataPathHandle): number {
    return (this.replaced.events ?? addon.events)(handle)
  }
  closed(handle: DataPathHandle): boolean {
    return (this.replaced.closed ?? addon.closed)(handle)
  }
}

/** `receive`, returning nothing after its first call. */
function onlyOnce(receive: DataPathAddon["receiveBatch"]): DataPathAddon["receiveBatch"] {
  let calls = 0
  return (...args) => (calls++ === 0 ? receive(...args) : undefined)
}

t.test("the self-test passes on the real addon and zeromq.js, synchronously, more than once", async (t) => {
  t.equal(runSelfTest(zmq, addon), null)
  t.equal(runSelfTest(zmq, addon), null, "learning the layout again finds the same one")
})

// Run in a fresh process: here, an earlier test's context that the collector finalizes meanwhile is shut
// down, and its reaper thread ends (zeromq.js's Context::Close), which would change the count.
const threadsAroundSelfTest = `
  import { readdirSync } from "node:fs"
  import * as zmq from "zeromq"
  import { loadDataPathAddon } from "./dist/native/addon.js"
  import { runSelfTest } from "./dist/native/self-test.js"
  const addon = loadDataPathAddon()
  const threads = () => readdirSync("/proc/self/task").length
  const before = threads()
  const failure = runSelfTest(zmq, addon)
  console.log(JSON.stringify({ failure, added: threads() - before }))
`

// Under qemu-user without binfmt, starting a child needs the script native/verify/qemu-arm64.sh gives.
const selfAsChild = spawnSync(CHILD_NODE, ["-e", ""])
const noChildProcess =
  (selfAsChild.error !== undefined || selfAsChild.status !== 0) &&
  `this node cannot start itself as a child process (${selfAsChild.error?.message ?? `exit ${selfAsChild.status}`})`

t.test(
  "the self-test's private context starts no I/O thread: what it leaves until exit is libzmq's reaper",
  { skip: (process.platform !== "linux" && "counts threads in /proc/self/task") || noChildProcess },
  async (t) => {
    // zeromq.js cannot terminate a context (a collected one is only shut down, and terminated at exit), so
    // each context the self-test makes keeps its threads. Counted around the synchronous call.
    const ran = spawnSync(CHILD_NODE, ["--input-type=module", "-e", threadsAroundSelfTest], {
      cwd: fileURLToPath(new URL("..", import.meta.url)), // the built package (dist/), which resolves zeromq
      encoding: "utf8",
      timeout: 60_000,
    })
    t.equal(ran.status, 0, "the program runs", { stderr: ran.stderr })
    t.same(
      JSON.parse(ran.stdout.trim() || "{}"),
      { failure: null, added: 1 },
      "one thread more: the reaper of a context with ioThreads 0",
    )
  },
)

t.test("the self-test fails, with the fact that broke, when", async (t) => {
  const cases: [string, Partial<DataPathAddon>, string | RegExp][] = [
    [
      "the layout is not found",
      { learnLayout: () => "no pointer" },
      "zeromq.js's socket layout was not found: no pointer",
    ],
    [
      "attach ignores the state byte",
      { attach: () => ({}) as DataPathHandle },
      "attached to a closed socket",
    ],
    [
      "attach refuses an open socket",
      { attach: (socket) => ((socket as zmq.Socket).closed ? "closed" : "refused") },
      "attach refused an open zeromq.js socket: refused",
    ],
    ["send would block", { send: () => false }, "native send would block on a connected inproc PAIR"],
    [
      "send sends nothing yet says it did",
      { send: () => true },
      "zeromq.js does not see what the native send sent",
    ],
    [
      "receive works once only",
      { receiveBatch: onlyOnce(addon.receiveBatch) },
      "the native receive got something else than zeromq.js sent",
    ],
    [
      "send sends other bytes",
      { send: (handle) => addon.send(handle, ["self-test", Buffer.alloc(100, 8)]) },
      "the native receive did not get what the native send sent",
    ],
    [
      "receive gets nothing",
      { receiveBatch: () => undefined },
      "the native receive did not get what the native send sent",
    ],
    ["the guard misses the close", { events: () => 0 }, "the guard did not see the socket closed"],
    [
      "closed says so of an open socket",
      { closed: () => true },
      "the native closed read an open socket as closed",
    ],
    ["closed misses the close", { closed: () => false }, "the native closed read a closed socket as open"],
    [
      "the guard throws something else",
      {
        events: () => {
          throw new Error("boom")
        },
      },
      "unexpected error: boom",
    ],
  ]
  for (const [name, replaced, failure] of cases) {
    t.match(runSelfTest(zmq, new BrokenAddon(replaced)), failure, name)
  }
})

t.test("checkNativeDataPath says why the native data path is off", async (t) => {
  t.same(checkNativeDataPath({ ZMQ_EVENTLOOP_NATIVE: "0" }), { reason: "ZMQ_EVENTLOOP_NATIVE=0" })
  t.same(checkNativeDataPath({}, new Error("Cannot find module")), {
    reason: "no native data path in the addon: Cannot find module",
  })
  t.match(checkNativeDataPath({}, new BrokenAddon({ send: () => false })), {
    reason: "self-test failed: native send would block on a connected inproc PAIR",
  })
  const support = checkNativeDataPath({}, addon)
  t.equal("reason" in support ? support.reason : support.addon, addon, "on with a working addon")
})

t.test(
  "one failed self-test is not enough to turn the native data path off: one more run decides",
  async (t) => {
    let sends = 0
    const failsOnce = new BrokenAddon({ send: (handle, parts) => sends++ > 0 && addon.send(handle, parts) })
    const support = checkNativeDataPath({}, failsOnce)
    t.notOk("reason" in support, "on, after a first run that failed")
    t.equal(sends, 2, "the self-test ran twice")
  },
)

t.test(
  "learnLayout refuses what is not a zeromq.js socket, and leaves it open when it is one it cannot read",
  async (t) => {
    t.equal(addon.learnLayout({}, 0, 0), "it wraps no native object")
    t.equal(addon.learnLayout(new zmq.Context(), 0, 0), "its native object is not a zeromq.js zmq::Socket")
    const socket = new zmq.Pull()
    t.teardown(() => socket.close())
    t.equal(
      addon.learnLayout(socket, 0, 7),
      "no field of the probe's zmq::Socket looks like its libzmq socket pointer",
      "a wrong fd matches no field",
    )
    t.notOk(socket.closed, "the probe is closed only once its pointer was found")
    t.throws(
      () => addon.learnLayout(socket, -1, 7),
      new TypeError("fd must be a non-negative integer (got -1)"),
    )
  },
)

t.test(
  "the loaded addon carries the data path on linux-x64 and linux-arm64",
  { skip: NO_NATIVE_DATA_PATH },
  async (t) => {
    t.notOk(loadDataPathAddon() instanceof Error, "the prebuild exports dataPath")
  },
)

t.test(
  "NODE_DEBUG=zmq-eventloop says once whether the native data path is on, and why not",
  { skip: NO_NATIVE_DATA_PATH },
  async (t) => {
    const internal = JSON.stringify(new URL("../dist/internal.js", import.meta.url).href)
    const script = `
      import * as zmq from "zeromq"
      import { attachDataPath } from ${internal}
      const sockets = [new zmq.Pull(), new zmq.Push()]
      console.log(sockets.map((socket) => "reason" in attachDataPath(socket) ? "refused" : "attached").join(" "))
      for (const socket of sockets) socket.close()
    `
    const run = (native: string) =>
      spawnSync(CHILD_NODE, ["--input-type=module", "-e", script], {
        cwd: fileURLToPath(new URL("..", import.meta.url)),
        encoding: "utf8",
        env: { ...process.env, NODE_DEBUG: "zmq-eventloop", ZMQ_EVENTLOOP_NATIVE: native },
        timeout: 60_000,
      })
    const count = (text: string, line: string) => text.split(line).length - 1

    const off = run("0")
    t.equal(off.status, 0, off.stderr)
    t.equal(off.stdout.trim(), "refused refused")
    t.equal(count(off.stderr, "native data path: off (ZMQ_EVENTLOOP_NATIVE=0)"), 1, "off, said once")

    const on = run("")
    t.equal(on.status, 0, on.stderr)
    t.equal(on.stdout.trim(), "attached attached")
    t.equal(count(on.stderr, "native data path: running the self-test (no layout to adopt: "), 1)
    t.equal(count(on.stderr, "native data path: on"), 1, "on, said once")
  },
)
