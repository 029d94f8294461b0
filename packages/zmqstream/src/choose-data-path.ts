import type { Socket } from "zeromq"
import { attachDataPath, debug, NativeDataPath } from "@zmq-eventloop/ioloop/internal"
import type { StreamDataPath } from "./data-path.js"
import { NativePath } from "./native-path.js"
import { ZeromqJsPath } from "./zeromq-js-path.js"

/** The data path chosen for a stream's socket, and whether to try the native one again later. */
export interface DataPathChoice {
  readonly path: StreamDataPath
  /** The native path was refused only because a `bind()`/`unbind()` holds the socket: try again once it settles. */
  readonly retry: boolean
}

/**
 * The one place a stream's data path is chosen: the native one when the addon attaches to `socket`, else
 * zeromq.js's. `current` is the path the stream has (a retry), reused when the native one is refused again.
 * `NODE_DEBUG=zmq-eventloop` says what was chosen and why.
 */
export function chooseDataPath(socket: Socket, current?: StreamDataPath): DataPathChoice {
  const attached = attachDataPath(socket)
  if (attached instanceof NativeDataPath) {
    if (debug.enabled) {
      const when = current === undefined ? "at construction" : "once its bind/unbind settled"
      debug("ZMQStream: native data path for a %s socket (attached %s)", socket.constructor.name, when)
    }
    return { path: new NativePath(socket, attached), retry: false }
  }
  const retry = attached.busy ?? false // only a pending bind/unbind refused it: that passes
  if (debug.enabled) {
    debug(
      "ZMQStream: zeromq.js data path for a %s socket (%s)%s",
      socket.constructor.name,
      attached.reason,
      retry ? "; the native one is tried again when that settles" : "",
    )
  }
  return { path: current ?? new ZeromqJsPath(socket), retry }
}
