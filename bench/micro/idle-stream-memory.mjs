// Micro-benchmark: the memory an idle ZMQStream adds to its socket (issue 15 item 10), in bytes per
// stream. Run `pnpm build && node bench/micro/idle-stream-memory.mjs`.
//
// N PULL sockets bound over inproc, each with a PUSH peer that sent it one message: measured once as bare
// sockets, then after wrapping each in a stream that received its message (so each stream's data path has
// been used) and went idle. Memory is V8's heap plus ArrayBuffers and external memory after a full GC
// (`--expose-gc` is switched on here), so typed arrays and slabs count. Prints a table, then one JSON line.
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { count, finish, printTable } from "../lib/micro.mjs"

setFlagsFromString("--expose-gc")
const gc = runInNewContext("gc")

const N = count(400) // two sockets each, under libzmq's default 1023 (issue 15 item 5: maxSockets set after import is not honoured)

async function load() {
  try {
    const { IOLoop } = await import("@zmq-eventloop/ioloop")
    const { ZMQStream } = await import("@zmq-eventloop/zmqstream")
    return { IOLoop, ZMQStream, zmq: await import("zeromq") }
  } catch (error) {
    return { error }
  }
}

function usedBytes() {
  for (let i = 0; i < 3; i++) gc()
  const usage = process.memoryUsage()
  return usage.heapUsed + usage.external + usage.arrayBuffers
}

async function main() {
  const loaded = await load()
  if (loaded.error) {
    console.error(`cannot load the packages: ${loaded.error.message}`)
    process.exit(2)
  }
  const { IOLoop, ZMQStream, zmq } = loaded
  const loop = new IOLoop({ makeCurrent: false })
  const pulls = []
  const pushes = []
  for (let i = 0; i < N; i++) {
    const pull = new zmq.Pull()
    await pull.bind(`inproc://idle-stream-memory-${i}`)
    const push = new zmq.Push()
    push.connect(`inproc://idle-stream-memory-${i}`)
    await push.send("hello")
    pulls.push(pull)
    pushes.push(push)
  }
  const sockets = usedBytes()
  const streams = pulls.map((pull) => new ZMQStream(pull, loop))
  let received = 0
  const running = loop.start()
  await new Promise((resolve) => {
    for (const stream of streams)
      stream.onRecv(() => {
        if (++received === N) resolve()
      })
  })
  loop.stop()
  await running
  const withStreams = usedBytes()
  const perStream = (withStreams - sockets) / N
  const dataPath = streams[0].dataPath
  printTable(
    [`memory per idle stream (${dataPath} data path), bytes`, "value"],
    [
      ["heap + external, N sockets, per socket", Math.round(sockets / N)],
      ["added per idle stream (received one message)", Math.round(perStream)],
    ],
  )
  for (const stream of streams) stream.close(0)
  for (const push of pushes) push.close()
  loop.close()
  finish({ micro: "idle-stream-memory", n: N, dataPath, bytesPerStream: Math.round(perStream) })
}

await main()
