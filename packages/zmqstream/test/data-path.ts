// Which data path a stream uses, and the native one's memory contract: a received frame is a view into a
// shared slab (`frame.buffer` shows its neighbours; `Buffer.from(frame)` copies), a large frame has its own.
import * as zmq from "zeromq"
import { SLAB_BYTES } from "@zmq-eventloop/ioloop/internal"
import { ZMQStream } from "../src/index.js"
import { bindAny, deferred, loopTest } from "./helpers/loop.js"

const nativeHere = process.platform === "linux" && process.arch === "x64"

loopTest("a stream reports the data path it uses", async (t, { loop, dataPath, track }) => {
  const stream = new ZMQStream(track(new zmq.Pull()), loop)
  t.equal(stream.dataPath, nativeHere ? dataPath : "zeromq.js")
  stream.close()
})

loopTest(
  "received frames, small and large, arrive intact on either path",
  async (t, { loop, dataPath, track }) => {
    const pull = new ZMQStream(track(new zmq.Pull()), loop)
    const push = track(new zmq.Push())
    push.connect(await bindAny(pull.socket, "inproc"))
    const got: Buffer[][] = []
    const all = deferred()
    pull.onRecv((msg) => {
      got.push(msg)
      if (got.length === 3) all.resolve()
    })
    const large = Buffer.alloc(SLAB_BYTES * 2, 7)
    await push.send(["a", "bc"])
    await push.send(large)
    await push.send("d")
    await all.wait("three messages")
    t.same(
      got.map((m) => m.map(String)),
      [["a", "bc"], [large.toString()], ["d"]],
    )
    if (dataPath === "native" && nativeHere) {
      const [a, bc] = got[0]!
      t.equal(a!.buffer, bc!.buffer, "small frames share one slab")
      t.ok(a!.buffer.byteLength <= SLAB_BYTES, "a slab is capped")
      t.not(got[1]![0]!.buffer, a!.buffer, "a large frame has a buffer of its own")
      const copy = Buffer.from(a!)
      t.not(copy.buffer, a!.buffer, "Buffer.from(frame) copies")
    }
    pull.close()
  },
)
