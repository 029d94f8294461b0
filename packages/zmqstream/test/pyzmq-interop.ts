// ZMQStream against a real pyzmq peer (Debian's python3-zmq via /usr/bin/python3): a multipart exchange
// with a pyzmq ROUTER, JSON both ways with non-ASCII text (send_json/recv_json), and pickle both ways
// (send_pyobj/recv_pyobj), and typed arrays as pyzmq sends arrays (send_array). The Python side binds,
// prints its endpoints, answers, and exits by itself.
import { spawn } from "node:child_process"
import { createInterface } from "node:readline"
import * as zmq from "zeromq"
import type { Test } from "tap"
import { loadJson, loadPyobj, SNDMORE, ZMQStream } from "../src/index.js"
import { deferred, loopTest } from "./helpers/loop.js"
import { PYTHON, pyzmqSkipReason } from "./helpers/python.js"

const PEER = String.raw`
import json, sys, zmq
ctx = zmq.Context()
router = ctx.socket(zmq.ROUTER); pair = ctx.socket(zmq.PAIR)
for s in (router, pair):
    s.rcvtimeo = 20000; s.linger = 2000
router.bind("tcp://127.0.0.1:*"); pair.bind("tcp://127.0.0.1:*")
print(json.dumps({"router": router.last_endpoint.decode(), "pair": pair.last_endpoint.decode()}), flush=True)
ident, *parts = router.recv_multipart()
router.send_multipart([ident, b"echo"] + parts + [str(len(parts)).encode()])
got = pair.recv_json()
pair.send_json({"got": got, "py": "Grüße ✓ 日本 😀"})
obj = pair.recv_pyobj()
pair.send_pyobj({"got": obj, "tuple": (1, "two"), "bytes": b"\x00\xff", "big": 2**70, "set": {3}})
router.close(); pair.close(); ctx.term()
`

/** Starts a Python peer running `script`, which prints its endpoints as one JSON line first. */
async function startPeer<Endpoints>(t: Test, script: string): Promise<Endpoints> {
  const child = spawn(PYTHON, ["-c", script], { stdio: ["ignore", "pipe", "inherit"] })
  t.teardown(() => {
    if (child.exitCode === null) child.kill()
  })
  const lines = createInterface({ input: child.stdout })
  const first = deferred<string>()
  lines.once("line", first.resolve)
  return JSON.parse(await first.wait("the Python peer's endpoints", 20_000)) as Endpoints
}

const skip = pyzmqSkipReason()

loopTest(
  "a ZMQStream exchanges multipart, JSON and pickled messages with a pyzmq peer",
  async (t, { loop, track }) => {
    const endpoints = await startPeer<{ router: string; pair: string }>(t, PEER)

    const dealer = new ZMQStream(track(new zmq.Dealer({ routingId: "node-dealer" })), loop)
    dealer.connect(endpoints.router)
    const echoed = deferred<Buffer[]>()
    dealer.onRecv((msg) => echoed.resolve(msg))
    // Written the pyzmq way: the first part with SNDMORE, then the rest.
    dealer.send("part one", { flags: SNDMORE })
    dealer.sendMultipart([Buffer.from([0, 1, 2]), "ünï"])
    const echo = await echoed.wait("the ROUTER's echo", 20_000)
    t.same(
      echo.map((p) => p.toString("utf8")),
      ["echo", "part one", "\u0000\u0001\u0002", "ünï", "3"],
    )

    const pair = new ZMQStream(track(new zmq.Pair()), loop)
    pair.connect(endpoints.pair)
    const replies: Buffer[][] = []
    const reply = [deferred(), deferred()]
    pair.onRecv((msg) => {
      replies.push(msg)
      reply[replies.length - 1]!.resolve()
    })
    pair.sendJson({ text: "Grüße ✓ 日本 😀", n: [1, 2.5, null, true] })
    await reply[0]!.wait("the JSON reply", 20_000)
    t.same(loadJson(replies[0]![0]!), {
      got: { text: "Grüße ✓ 日本 😀", n: [1, 2.5, null, true] },
      py: "Grüße ✓ 日本 😀",
    })

    pair.sendPyobj({ text: "Grüße", list: [1, 2n ** 70n], bytes: Buffer.from([9]) })
    await reply[1]!.wait("the pickle reply", 20_000)
    const back = loadPyobj(replies[1]![0]!) as Record<string, unknown>
    t.same(back.got, { text: "Grüße", list: [1, 2n ** 70n], bytes: Buffer.from([9]) })
    t.same(back.tuple, [1, "two"])
    t.same(back.bytes, Buffer.from([0, 255]))
    t.equal(back.big, 2n ** 70n)
    t.same(back.set, new Set([3]))
    dealer.close()
    pair.close()
  },
  { skip },
)

// pyzmq's serialsocket example (send_array/recv_array) without numpy: a JSON header, then the array's buffer.
const ARRAY_PEER = String.raw`
import array, json, sys, zmq
ctx = zmq.Context()
pair = ctx.socket(zmq.PAIR)
pair.rcvtimeo = 20000; pair.linger = 2000
pair.bind("tcp://127.0.0.1:*")
print(json.dumps({"pair": pair.last_endpoint.decode()}), flush=True)
for _ in range(2):
    md = pair.recv_json()
    values = array.array("d", pair.recv())
    assert md["dtype"] == "float64" and md["shape"] == [len(values)], md
    doubled = array.array("d", (v * 2 for v in values))
    pair.send_json({"dtype": "float64", "shape": [len(doubled)]}, zmq.SNDMORE)
    pair.send(doubled)
pair.close(); ctx.term()
`

loopTest(
  "typed arrays go to a pyzmq peer as array buffers and come back readable (pyzmq's send_array)",
  async (t, { loop, track }) => {
    const { pair: endpoint } = await startPeer<{ pair: string }>(t, ARRAY_PEER)
    const pair = new ZMQStream(track(new zmq.Pair()), loop)
    pair.connect(endpoint)
    const replies: Buffer[][] = []
    const both = deferred()
    pair.onRecv((msg) => {
      replies.push(msg)
      if (replies.length === 2) both.resolve()
    })
    // A few values (copied into the native path's slab, after the odd-length JSON header) and many (a frame
    // of its own): a Float64Array must view each reply's data frame on either data path.
    const arrays = [
      Float64Array.from([0.5, -1, 3.25]),
      Float64Array.from({ length: 50_000 }, (_, i) => i / 8),
    ]
    for (const values of arrays) {
      pair.sendJson({ dtype: "float64", shape: [values.length] }, { flags: SNDMORE })
      pair.send(values)
    }
    await both.wait("the doubled arrays", 20_000)
    replies.forEach(([header, data], i) => {
      const values = arrays[i]!
      t.same(loadJson(header!), { dtype: "float64", shape: [values.length] })
      const doubled = new Float64Array(data!.buffer, data!.byteOffset, data!.length / 8)
      t.same(
        Array.from(doubled),
        Array.from(values, (v) => v * 2),
        `array ${i}: every value doubled`,
      )
    })
    pair.close()
  },
  { skip },
)
