// The pairs workload's shared parts: PAIRS ROUTER<->DEALER pairs over inproc in
// one process, each DEALER with one 64 B message in flight (echoed by its
// ROUTER), N round trips in all, timed after one warm-up round trip per pair.
import { execFileSync } from "node:child_process"
import * as zmq from "zeromq"

export const PAIRS_MESSAGE_BYTES = 64
// libzmq's default ZMQ_MAX_SOCKETS is 1023. Each socket holds an eventfd (its
// mailbox; the loop's fd poller takes one fd per loop): 5000 pairs need ~10k fds.
const SPARE_SOCKETS = 64
const FDS_PER_SOCKET = 1
const SPARE_FDS = 1024

/**
 * Raises this process's fd limit (soft and hard) for `pairs` pairs with
 * util-linux `prlimit`, which needs root (CAP_SYS_RESOURCE) to raise the hard
 * limit; without it the run goes on and fails with EMFILE if the limit is short.
 */
function raiseFdLimit(pairs) {
  const fds = 2 * pairs * FDS_PER_SOCKET + SPARE_FDS
  try {
    execFileSync("prlimit", ["--pid", String(process.pid), `--nofile=${fds}:${fds}`], { stdio: "pipe" })
  } catch (error) {
    process.stderr.write(`pairs: could not raise the fd limit to ${fds}: ${error.message}\n`)
  }
}

/** `pairs` pairs, each router bound, each dealer connected to it (on the default context, made big enough). */
export async function openPairs(pairs) {
  // The default context: with a Context of our own in the `context` option, inproc messages did not
  // arrive here (zeromq.js 6.8; tcp did).
  zmq.context.maxSockets = Math.max(zmq.context.maxSockets, 2 * pairs + SPARE_SOCKETS)
  raiseFdLimit(pairs)
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
