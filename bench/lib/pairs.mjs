// The pairs workload's shared parts: PAIRS ROUTER<->DEALER pairs over inproc in
// one process, each DEALER with one 64 B message in flight (echoed by its
// ROUTER), N round trips in all, timed after one warm-up round trip per pair.
import * as zmq from "zeromq"

export const PAIRS_MESSAGE_BYTES = 64
// libzmq's default ZMQ_MAX_SOCKETS is 1023; each socket also holds one eventfd
// (its mailbox), so 5000 pairs need ~10k fds (the soft limit must allow it).
const SPARE_SOCKETS = 64

/** `pairs` pairs, each router bound, each dealer connected to it (on the default context, made big enough). */
export async function openPairs(pairs) {
  // A context of our own would not do: zeromq.js 6.8 then loses inproc messages (tcp works).
  zmq.context.maxSockets = Math.max(zmq.context.maxSockets, 2 * pairs + SPARE_SOCKETS)
  const options = { sendHighWaterMark: 0, receiveHighWaterMark: 0, linger: 0 }
  const list = []
  for (let i = 0; i < pairs; i++)
    list.push({ router: new zmq.Router(options), dealer: new zmq.Dealer(options) })
  // zeromq.js binds on a worker thread: a socket is busy until its bind settles.
  await Promise.all(list.map(({ router }, i) => router.bind(`inproc://pairs-${i}`)))
  list.forEach(({ dealer }, i) => dealer.connect(`inproc://pairs-${i}`))
  return list
}

/** The pairs line: N round trips over PAIRS pairs in `elapsed` seconds. */
export function pairsFields(n, pairs, elapsed) {
  return {
    workload: "pairs",
    n,
    pairs,
    size: PAIRS_MESSAGE_BYTES,
    round_trips_per_s: Math.round(n / elapsed),
  }
}
