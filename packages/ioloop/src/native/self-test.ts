/**
 * The native data path's self-test, run once per env before the path is used: an inproc PAIR pair
 * made with zeromq.js, one attach refused while a bind holds the socket, a round trip on both paths
 * (native send → zeromq.js receive, zeromq.js send → native receive), and a close the guard must
 * see. It checks at run time, on the zeromq.js actually loaded, the facts the addon relies on: the
 * vtable, the socket pointer's offset (messages arrive), the state byte's offset (blocked, closed).
 * @module
 */
import { threadId } from "node:worker_threads"
import type * as Zmq from "zeromq"
import { ZMQ_FD, ZMQ_TYPE } from "../constants.js"
import type { ZmqSocketAccess } from "../handler-entry.js"
import { META_HEADER, META_MESSAGES, META_OFFSET, type DataPathAddon } from "./addon.js"

let runs = 0

/** Frames that differ in size class: libzmq keeps a short one inside the message, a long one outside. */
const SENT = ["self-test", Buffer.alloc(100, 7)] as const
const RETURNED = [Buffer.from("back"), Buffer.alloc(1000, 9)] as const

/** What went wrong, or `null` when the native data path works on sockets of `zeromq`. */
export async function runSelfTest(zeromq: typeof Zmq, addon: DataPathAddon): Promise<string | null> {
  const endpoint = `inproc://zmq-eventloop-self-test-${process.pid}-${threadId}-${runs++}`
  const native = new zeromq.Pair()
  const peer = new zeromq.Pair({ receiveTimeout: 0, sendTimeout: 0 })
  try {
    const access = native as unknown as ZmqSocketAccess
    const fd = access.getInt32Option(ZMQ_FD)
    const type = access.getInt32Option(ZMQ_TYPE)
    const binding = native.bind(endpoint)
    if (typeof addon.attach(native, fd, type) !== "string") return "attached to a socket during its bind"
    await binding
    peer.connect(endpoint)
    const handle = addon.attach(native, fd, type)
    if (typeof handle === "string") return `attach refused an open zeromq.js socket: ${handle}`

    if (!addon.send(handle, SENT)) return "native send would block on a connected inproc PAIR"
    const received = await peer.receive()
    if (received.length !== 2 || received[0].toString() !== SENT[0] || !received[1].equals(SENT[1]))
      return "zeromq.js received something else than the native send sent"

    await peer.send([...RETURNED])
    const meta = new Int32Array(META_HEADER + 1 + RETURNED.length)
    const buffer = addon.receiveBatch(handle, meta, [], 1, 1 << 16, 1 << 16, 1 << 16)
    const first = meta[META_OFFSET]
    if (
      buffer === undefined ||
      meta[META_MESSAGES] !== 1 ||
      meta[META_HEADER] !== 2 ||
      !Buffer.from(buffer, first, meta[META_HEADER + 1]).equals(RETURNED[0]) ||
      !Buffer.from(buffer, first + RETURNED[0].length, meta[META_HEADER + 2]).equals(RETURNED[1])
    )
      return "the native receive got something else than zeromq.js sent"

    native.close()
    try {
      addon.events(handle)
      return "the guard did not see the socket closed"
    } catch (error) {
      if ((error as { code?: unknown }).code !== "EBADF") throw error
    }
    return null
  } catch (error) {
    return `unexpected error: ${(error as Error).message}`
  } finally {
    native.close()
    peer.close()
  }
}
