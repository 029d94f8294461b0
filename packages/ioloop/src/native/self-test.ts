/**
 * The native data path's self-test, run once per env at the first attach: it learns zeromq.js's
 * `zmq::Socket` layout on a probe socket (see `DataPathAddon.learnLayout`), then proves it with an
 * inproc PAIR pair: a round trip on both paths (native send → zeromq.js sees it, zeromq.js send →
 * native receive) and a close that the guard and the native `closed` read must both see.
 *
 * It is synchronous and leaves nothing behind: its sockets live on a private `zmq.Context` (the
 * global one keeps its settings, `maxSockets` included, for the user), it binds with `bindSync` and
 * sends with `sendTimeout` 0, so no zeromq.js operation is pending on a worker thread when it
 * returns (zeromq.js aborts the process when a worker thread is torn down mid-bind). zeromq.js 6
 * has no call to terminate a context: the private one is shut down when it is garbage collected,
 * and terminated at exit (or with its worker); until then it keeps libzmq's reaper thread, but no
 * I/O thread (inproc needs none).
 * @module
 */
import { threadId } from "node:worker_threads"
import type * as Zmq from "zeromq"
import { ZMQ_FD, ZMQ_TYPE } from "../constants.js"
import { errorCode } from "../errors.js"
import type { ZmqSocketAccess } from "../handlers/handler-entry.js"
import { retryInterrupted } from "../handlers/interrupted.js"
import {
  META_HEADER,
  META_MESSAGES,
  META_OFFSET,
  nextFrameOffset,
  type DataPathAddon,
  type DataPathHandle,
} from "./addon.js"

let runs = 0

/** Probe sockets whose close() the layout is learned from (see `DataPathAddon.learnLayout`). */
const LAYOUT_PROBES = 3

/** Frames that differ in size class: libzmq keeps a short one inside the message, a long one outside. */
const SENT = [Buffer.from("self-test"), Buffer.alloc(100, 7)] as const
const RETURNED = [Buffer.from("back"), Buffer.alloc(1000, 9)] as const

/** A zeromq.js socket's `ZMQ_FD` and `ZMQ_TYPE`, as zeromq.js reports them. */
function fdAndType(socket: Zmq.Socket): [fd: number, type: number] {
  const access = socket as unknown as ZmqSocketAccess
  return [access.getInt32Option(ZMQ_FD), access.getInt32Option(ZMQ_TYPE)]
}

/** Whether the one message waiting on `handle` has exactly the frames `expected`. */
function receivedIs(addon: DataPathAddon, handle: DataPathHandle, expected: readonly Buffer[]): boolean {
  const meta = new Int32Array(META_HEADER + 1 + expected.length)
  const buffer = addon.receiveBatch(handle, meta, [], 1, 1 << 16, 1 << 16, 1 << 16)
  if (buffer === undefined || meta[META_MESSAGES] !== 1 || meta[META_HEADER] !== expected.length) return false
  let offset = meta[META_OFFSET]
  return expected.every((frame, i) => {
    const length = meta[META_HEADER + 1 + i]
    const same = Buffer.from(buffer, offset, length).equals(frame)
    offset = nextFrameOffset(offset, length)
    return same
  })
}

/** What went wrong, or `null` when the native data path works on sockets of `zeromq`. Never throws. */
export function runSelfTest(zeromq: typeof Zmq, addon: DataPathAddon): string | null {
  const endpoint = `inproc://zmq-eventloop-self-test-${process.pid}-${threadId}-${runs++}`
  const sockets: Zmq.Socket[] = []
  try {
    const context = new zeromq.Context({ blocky: false, ioThreads: 0 })
    const open = () => {
      const socket = new zeromq.Pair({ context, linger: 0, sendTimeout: 0, receiveTimeout: 0 })
      sockets.push(socket)
      return socket
    }
    // Several probes: the addon keeps only the state byte candidates that every probe confirmed.
    let learned: string | null = null
    let probe: Zmq.Socket | undefined
    let probeFacts: [number, number] = [0, 0]
    for (let probes = 0; probes < LAYOUT_PROBES; probes++) {
      probe = open()
      probeFacts = fdAndType(probe)
      learned = addon.learnLayout(probe, ...probeFacts)
    }
    if (learned !== null) return `zeromq.js's socket layout was not found: ${learned}`
    if (typeof addon.attach(probe!, ...probeFacts) !== "string") return "attached to a closed socket"

    const native = open()
    const peer = open()
    native.bindSync(endpoint)
    // zeromq.js's connect() throws an EINTR (measured: 1 self-test in ~100 under V8's profiler's SIGPROF).
    retryInterrupted(() => peer.connect(endpoint))
    const handle = addon.attach(native, ...fdAndType(native))
    if (typeof handle === "string") return `attach refused an open zeromq.js socket: ${handle}`
    const peerHandle = addon.attach(peer, ...fdAndType(peer))
    if (typeof peerHandle === "string") return `attach refused an open zeromq.js socket: ${peerHandle}`

    if (!addon.send(handle, SENT)) return "native send would block on a connected inproc PAIR"
    if (!peer.readable) return "zeromq.js does not see what the native send sent"
    if (!receivedIs(addon, peerHandle, SENT))
      return "the native receive did not get what the native send sent"

    // With sendTimeout 0 zeromq.js sends within the call; the promise only reports it.
    peer.send([...RETURNED]).catch(() => undefined)
    if (!receivedIs(addon, handle, RETURNED))
      return "the native receive got something else than zeromq.js sent"

    if (addon.closed(handle)) return "the native closed read an open socket as closed"
    native.close()
    if (!addon.closed(handle)) return "the native closed read a closed socket as open"
    try {
      addon.events(handle)
      return "the guard did not see the socket closed"
    } catch (error) {
      if (errorCode(error) !== "EBADF") throw error
    }
    return null
  } catch (error) {
    return `unexpected error: ${(error as Error).message}`
  } finally {
    for (const socket of sockets) socket.close()
  }
}
