// When the native data path is used at all (src/native/availability.ts, self-test.ts): the environment
// switch, a missing addon, the zeromq versions whose layout was verified, and a self-test that fails on
// each fact it checks (the addon is real; one of its functions is replaced per case to break one fact).
import t from "tap"
import * as zmq from "zeromq"
import { checkNativeDataPath, isVerifiedZeromqVersion } from "../src/native/availability.js"
import {
  loadDataPathAddon,
  type DataPathAddon,
  type DataPathHandle,
  type NativeMessagePart,
} from "../src/native/addon.js"
import { runSelfTest } from "../src/native/self-test.js"
import { addon } from "./helpers/native-data-path.js"

/** The real addon with some functions replaced: one broken fact per self-test case. */
class BrokenAddon implements DataPathAddon {
  constructor(private readonly replaced: Partial<DataPathAddon>) {}
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
}

t.test("the self-test passes on the real addon and zeromq.js", async (t) => {
  t.equal(await runSelfTest(zmq, addon), null)
})

t.test("the self-test fails, with the fact that broke, when", async (t) => {
  const cases: [string, Partial<DataPathAddon>, string | RegExp][] = [
    [
      "attach ignores the state byte",
      { attach: () => ({}) as DataPathHandle },
      "attached to a socket during its bind",
    ],
    [
      "attach refuses an open socket",
      { attach: () => "refused" },
      "attach refused an open zeromq.js socket: refused",
    ],
    ["send would block", { send: () => false }, "native send would block on a connected inproc PAIR"],
    [
      "send sends other bytes",
      { send: (handle) => addon.send(handle, ["self-test", Buffer.alloc(100, 8)]) },
      "zeromq.js received something else than the native send sent",
    ],
    [
      "receive gets nothing",
      { receiveBatch: () => undefined },
      "the native receive got something else than zeromq.js sent",
    ],
    ["the guard misses the close", { events: () => 0 }, "the guard did not see the socket closed"],
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
    t.match(await runSelfTest(zmq, new BrokenAddon(replaced)), failure, name)
  }
})

t.test("checkNativeDataPath says why the native data path is off", async (t) => {
  t.same(await checkNativeDataPath({ ZMQ_EVENTLOOP_NATIVE: "0" }), { reason: "ZMQ_EVENTLOOP_NATIVE=0" })
  t.same(await checkNativeDataPath({}, new Error("Cannot find module")), {
    reason: "no native data path in the addon: Cannot find module",
  })
  t.match(await checkNativeDataPath({}, new BrokenAddon({ send: () => false })), {
    reason: "self-test failed: native send would block on a connected inproc PAIR",
  })
  const support = await checkNativeDataPath({}, addon)
  t.equal("reason" in support ? support.reason : support.addon, addon, "on with a working addon")
})

t.test("only zeromq 6.8.x counts as verified", async (t) => {
  for (const version of ["6.8.0", "6.8.1", "6.8.12"]) t.ok(isVerifiedZeromqVersion(version), version)
  for (const version of ["6.7.0", "6.9.0", "5.8.0", "6.8.0-beta.1", "6.80.0", "v6.8.0"])
    t.notOk(isVerifiedZeromqVersion(version), version)
})

t.test(
  "the loaded addon carries the data path on linux-x64",
  { skip: process.platform === "linux" && process.arch === "x64" ? false : "only linux-x64 carries it" },
  async (t) => {
    t.notOk(loadDataPathAddon() instanceof Error, "the prebuild exports dataPath")
  },
)
