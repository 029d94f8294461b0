// ZMQStream against a real pyzmq peer (Debian's python3-zmq via /usr/bin/python3): a multipart exchange
// with a pyzmq ROUTER, JSON both ways with non-ASCII text (send_json/recv_json), and pickle both ways
// (send_pyobj/recv_pyobj). The Python side binds, prints its endpoints, answers, and exits by itself.
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

async function startPeer(t: Test): Promise<{ router: string; pair: string }> {
  const child = spawn(PYTHON, ["-c", PEER], { stdio: ["ignore", "pipe", "inherit"] })
  t.teardown(() => {
    if (child.exitCode === null) child.kill()
  })
  const lines = createInterface({ input: child.stdout })
  const first = deferred<string>()
  lines.once("line", first.resolve)
  return JSON.parse(await first.wait("the Python peer's endpoints", 20_000)) as {
    router: string
    pair: string
  }
}

const skip = pyzmqSkipReason()

loopTest(
  "a ZMQStream exchanges multipart, JSON and pickled messages with a pyzmq peer",
  async (t, { loop, track }) => {
    const endpoints = await startPeer(t)

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
