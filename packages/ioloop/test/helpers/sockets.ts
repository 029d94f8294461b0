import type { Test } from "tap"
import * as zmq from "zeromq"

// A connecting socket closed with linger -1 (forever, pyzmq's default) while messages still wait for a peer
// that is gone reconnects forever, and zeromq.js's zmq_ctx_term then hangs the process at exit (seen in CI:
// zmqstream's send.ts killed by tap's timeout). So no test socket keeps linger -1, and teardown closes with 0.

/** The linger {@link boundLinger} gives a socket left at -1: long enough for any delivery a test waits for. */
const TEST_LINGER_MS = 5_000

/** Returns `socket`, its linger turned from -1 to {@link TEST_LINGER_MS} (a linger the test set is kept). */
export function boundLinger<S extends zmq.Socket>(socket: S): S {
  if (socket.linger === -1) socket.linger = TEST_LINGER_MS
  return socket
}

/** Closes every socket of `sockets` not closed yet, with linger 0 (teardown: nothing is waited for). */
export function closeNow(sockets: Iterable<zmq.Socket>): void {
  for (const socket of sockets) {
    if (socket.closed) continue
    socket.linger = 0
    socket.close()
  }
}

/** A bound-and-connected pair over tcp loopback, closed with {@link closeNow} when the test ends. */
export async function socketPair<A extends zmq.Socket, B extends zmq.Socket>(
  t: Test,
  bound: A,
  connected: B,
  endpoint = "tcp://127.0.0.1:*",
): Promise<[A, B]> {
  t.teardown(() => closeNow([bound, connected]))
  await bound.bind(endpoint)
  connected.connect(bound.lastEndpoint!)
  return [bound, connected]
}
