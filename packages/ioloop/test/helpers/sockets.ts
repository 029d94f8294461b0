import type { Test } from "tap"
import * as zmq from "zeromq"

/**
 * A bound-and-connected pair over tcp loopback, closed when the test ends with linger 0: a connecting
 * socket closed with linger -1 while messages wait for a peer that is gone reconnects forever, and
 * zeromq.js's zmq_ctx_term then hangs the process at exit.
 */
export async function socketPair<A extends zmq.Socket, B extends zmq.Socket>(
  t: Test,
  bound: A,
  connected: B,
  endpoint = "tcp://127.0.0.1:*",
): Promise<[A, B]> {
  t.teardown(() => {
    for (const socket of [bound, connected]) {
      if (socket.closed) continue
      socket.linger = 0
      socket.close()
    }
  })
  await bound.bind(endpoint)
  connected.connect(bound.lastEndpoint!)
  return [bound, connected]
}
