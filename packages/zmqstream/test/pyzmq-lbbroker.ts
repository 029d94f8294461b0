// zguide's lbbroker3.py (a least-recently-used broker on ZMQStream) ported to Node, against the guide's own
// pyzmq REQ workers and REQ clients (Debian's python3-zmq, threads of one /usr/bin/python3 process). The
// broker stops reading its frontend (stopOnRecv) whenever no worker is free and sets its recv callback
// again on each worker message, so a request delivered while no worker is free means a paused stream
// still delivered; every client must get each of its replies.
import { spawn } from "node:child_process"
import { createInterface } from "node:readline"
import * as zmq from "zeromq"
import type { Test } from "tap"
import { ZMQStream } from "../src/index.js"
import { bindAny, deferred, loopTest } from "./helpers/loop.js"
import { PYTHON, pyzmqSkipReason } from "./helpers/python.js"

const WORKERS = 3
const CLIENTS = 10
const REQUESTS_PER_CLIENT = 5

// The guide's worker_thread and client_thread, each client sending several requests; prints one JSON line.
const PEERS = String.raw`
import json, sys, threading, zmq
backend, frontend, workers, clients, requests = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
ctx = zmq.Context.instance()
def worker(i):
    s = ctx.socket(zmq.REQ); s.identity = b"Worker-%d" % i; s.connect(backend); s.send(b"READY")
    try:
        while True:
            address, empty, request = s.recv_multipart()
            s.send_multipart([address, b"", b"OK " + request])
    except zmq.ContextTerminated:
        s.close(linger=0)
answers = {"ok": 0, "wrong": [], "missing": 0}
lock = threading.Lock()
def client(i):
    s = ctx.socket(zmq.REQ); s.identity = b"Client-%d" % i; s.connect(frontend); s.rcvtimeo = 20000
    for n in range(requests):
        request = b"HELLO %d.%d" % (i, n)
        s.send(request)
        try: reply = s.recv()
        except zmq.Again:
            with lock: answers["missing"] += requests - n
            break
        with lock:
            if reply == b"OK " + request: answers["ok"] += 1
            else: answers["wrong"].append(reply.decode())
    s.close(linger=0)
for i in range(workers): threading.Thread(target=worker, args=(i,), daemon=True).start()
threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
for thread in threads: thread.start()
for thread in threads: thread.join()
print(json.dumps(answers), flush=True)
ctx.term()
`

interface Answers {
  ok: number
  wrong: string[]
  missing: number
}

/** The guide's LRUQueue: requests go to the worker that became free last; the frontend pauses without one. */
class LeastRecentlyUsedQueue {
  private readonly freeWorkers: Buffer[] = []
  /** Requests the frontend delivered while no worker was free (a paused stream that still delivered). */
  deliveredWhilePaused = 0
  /** How many times the frontend was paused. */
  pauses = 0

  constructor(
    private readonly backend: ZMQStream<zmq.Router>,
    private readonly frontend: ZMQStream<zmq.Router>,
  ) {
    backend.onRecv((msg) => this.handleBackend(msg))
  }

  private handleBackend([worker, , client, , reply]: Buffer[]): void {
    this.freeWorkers.push(worker!)
    if (String(client) !== "READY") this.frontend.sendMultipart([client!, "", reply!])
    // As the Python does: set the recv callback again on every worker message, paused or not.
    this.frontend.onRecv(this.handleFrontend)
  }

  private readonly handleFrontend = ([client, , request]: Buffer[]): void => {
    const worker = this.freeWorkers.pop()
    if (worker === undefined) {
      this.deliveredWhilePaused++
      return
    }
    this.backend.sendMultipart([worker, "", client!, "", request!])
    if (this.freeWorkers.length === 0) {
      this.pauses++
      this.frontend.stopOnRecv()
    }
  }
}

function runPeers(t: Test, backend: string, frontend: string): Promise<Answers> {
  const args = [backend, frontend, WORKERS, CLIENTS, REQUESTS_PER_CLIENT].map(String)
  const child = spawn(PYTHON, ["-c", PEERS, ...args], { stdio: ["ignore", "pipe", "inherit"] })
  t.teardown(() => {
    if (child.exitCode === null) child.kill()
  })
  const answers = deferred<string>()
  createInterface({ input: child.stdout }).once("line", answers.resolve)
  return answers.wait("the pyzmq clients' answers", 20_000).then((line) => JSON.parse(line) as Answers)
}

const skip = pyzmqSkipReason()

for (const transport of ["tcp", "ipc"] as const) {
  loopTest(
    `lbbroker3 on ZMQStream serves pyzmq REQ workers and clients over ${transport}, pausing its frontend`,
    async (t, { loop, track }) => {
      const frontendSocket = track(new zmq.Router())
      const backendSocket = track(new zmq.Router())
      const frontendEndpoint = await bindAny(frontendSocket, transport)
      const backendEndpoint = await bindAny(backendSocket, transport)
      const frontend = new ZMQStream(frontendSocket, loop)
      const backend = new ZMQStream(backendSocket, loop)
      const queue = new LeastRecentlyUsedQueue(backend, frontend)

      const answers = await runPeers(t, backendEndpoint, frontendEndpoint)
      t.same(answers, { ok: CLIENTS * REQUESTS_PER_CLIENT, wrong: [], missing: 0 }, "every reply, right")
      t.equal(queue.deliveredWhilePaused, 0, "no request delivered while the frontend was paused")
      t.comment(`the frontend paused ${queue.pauses} times`)
      frontend.close()
      backend.close()
    },
    { skip },
  )
}
