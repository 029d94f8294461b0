import { errorCode } from "@zmq-eventloop/ioloop/internal"

/**
 * Whether a `send()`/`receive()` with timeout 0 failed only because the socket cannot do it *now*: EAGAIN
 * (nothing to receive, no room at the high-water mark), EBUSY (zeromq.js blocks the socket while an
 * asynchronous `bind()`/`unbind()` runs; the loop re-checks the socket when that settles) or EFSM (the REQ/REP lock-step: a REQ awaiting its
 * reply, a REP before its request, or a REP's second receive before it replied). pyzmq never meets EFSM
 * because it acts only on what `zmq_poll` reports; the stream issues chunks of calls without a `ZMQ_EVENTS`
 * read per message, so it treats both as "wait for the next READ/WRITE".
 */
export function wouldBlock(error: unknown): boolean {
  const code = errorCode(error)
  return code === "EAGAIN" || code === "EFSM" || code === "EBUSY"
}
