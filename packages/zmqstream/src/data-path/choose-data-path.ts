import type { Socket } from "zeromq"
import { attachDataPath, debug, NativeDataPath } from "@zmq-eventloop/ioloop/internal"
import type { StreamDataPath } from "./data-path.js"
import { NativePath } from "./native-path.js"
import { ZeromqJsPath } from "./zeromq-js-path.js"

/**
 * When a stream tries the native data path again after a refusal: `"settled"`, once the `bind()`/`unbind()`
 * that holds the socket settles (and at each dispatch); `"later"`, on a timer, as the process was out of
 * file descriptors for the checks; `"never"`, the refusal is for good (or the native path attached).
 */
export type AttachRetry = "settled" | "later" | "never"

/** The data path chosen for a stream's socket, and when to try the native one again. */
export interface DataPathChoice {
  readonly path: StreamDataPath
  readonly retry: AttachRetry
}

const RETRY_NOTES: Record<AttachRetry, string> = {
  settled: "; the native one is tried again when that settles",
  later: "; the native one is tried again on a timer, up to once a second",
  never: "",
}
const ATTACHED_WHEN: Record<AttachRetry, string> = {
  settled: "once its bind/unbind settled",
  later: "once the process had fds for the checks",
  never: "at construction",
}

/**
 * The one place a stream's data path is chosen: the native one when the addon attaches to `socket`, else
 * zeromq.js's. On a retry, `current` is the path the stream has, reused when the native one is refused
 * again, and `retried` the retry's kind. `NODE_DEBUG=zmq-eventloop` says what was chosen and why.
 */
export function chooseDataPath(
  socket: Socket,
  current?: StreamDataPath,
  retried: AttachRetry = "never",
): DataPathChoice {
  const attached = attachDataPath(socket)
  if (attached instanceof NativeDataPath) {
    if (debug.enabled) {
      const when = ATTACHED_WHEN[retried]
      debug("ZMQStream: native data path for a %s socket (attached %s)", socket.constructor.name, when)
    }
    return { path: new NativePath(socket, attached), retry: "never" }
  }
  // A pending bind/unbind passes; so does a process's shortage of fds (the checks did not run).
  const retry: AttachRetry = attached.busy ? "settled" : attached.transient ? "later" : "never"
  if (debug.enabled) {
    debug(
      "ZMQStream: zeromq.js data path for a %s socket (%s)%s",
      socket.constructor.name,
      attached.reason,
      RETRY_NOTES[retry],
    )
  }
  return { path: current ?? new ZeromqJsPath(socket), retry }
}
