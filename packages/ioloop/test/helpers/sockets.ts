import type { Test } from "tap"
import * as zmq from "zeromq"

/** A bound-and-connected pair over tcp loopback, closed when the test ends. */
export async function socketPair<A extends zmq.Socket, B extends zmq.Socket>(
  t: Test,
  bound: A,
  connected: B,
  endpoint = "tcp://127.0.0.1:*",
): Promise<[A, B]> {
  t.teardown(() => {
    bound.close()
    connected.close()
  })
  await bound.bind(endpoint)
  connected.connect(bound.lastEndpoint!)
  return [bound, connected]
}
