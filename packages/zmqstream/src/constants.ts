// zmq's poll flags, as pyzmq exports them (`zmq.POLLIN` …), for `ZMQStream.flush(flag)`. Not the IOLoop's
// event bits: `POLLIN` equals `IOLoop.READ`, but `POLLOUT` (2) is not `IOLoop.WRITE` (4).

/** zmq `POLLIN`: `flush()` handles incoming messages. */
export const POLLIN = 1
/** zmq `POLLOUT`: `flush()` sends queued messages. */
export const POLLOUT = 2
/** zmq `POLLERR`: accepted by `flush()` for pyzmq compatibility; it has no effect there. */
export const POLLERR = 4

/** zmq `DONTWAIT`: accepted in `send*()`'s `flags` for pyzmq compatibility; every stream send is non-blocking. */
export const DONTWAIT = 1
/**
 * zmq `SNDMORE`: in `send*()`'s `flags`, more parts of the same message follow: the stream holds the parts
 * until a send without it, then queues the whole message at once (pyzmq `stream.send(part, zmq.SNDMORE)`).
 */
export const SNDMORE = 2

// libzmq option numbers the stream uses itself (the whole option table is in socket-links.ts).
export const ZMQ_TYPE = 16
export const ZMQ_LINGER = 17
export const ZMQ_RCVTIMEO = 27
export const ZMQ_SNDTIMEO = 28

// libzmq socket types (ZMQ_TYPE) whose sends take zeromq.js options: SERVER's routingId, RADIO's group.
export const ZMQ_SERVER = 12
export const ZMQ_RADIO = 14

// Receive chunks: after one ZMQ_EVENTS check (done by the loop's dispatch), `receive()` is called this many
// times without awaiting, doubling while every call of the previous chunk got a message and shrinking to
// what the last chunk got once one comes back EAGAIN. Measured (DESIGN.md "Fast paths"): 422 ms CPU for 200k
// messages in chunks up to a few hundred, against 1544 ms for `for await`; 256 bounds the time one stream
// holds the loop (fairness between streams: the loop re-dispatches while the socket stays readable).
export const MAX_RECEIVE_CHUNK = 256
// ...and at most this many bytes of messages, at the last chunk's mean message size (receive-chunks.ts).
export const MAX_RECEIVE_CHUNK_BYTES = 1024 * 1024

// Sends chained from one dispatch (each from the previous one's settlement) before the stream yields to the
// loop; the loop dispatches WRITE again while the socket stays writable. Same fairness bound as receiving.
export const SEND_BUDGET = 256

// libzmq socket types (ZMQ_TYPE) that only send or only receive. zeromq.js's socket classes all inherit both
// send() and receive() from its native Socket, so the stream asks the socket's type instead.
/** PUB, PUSH, RADIO, SCATTER. */
export const SEND_ONLY_TYPES: ReadonlySet<number> = new Set([1, 8, 14, 17])
/** SUB, PULL, DISH, GATHER. */
export const RECEIVE_ONLY_TYPES: ReadonlySet<number> = new Set([2, 7, 15, 16])
/** SERVER, CLIENT, RADIO, DISH, GATHER, SCATTER: libzmq's thread-safe draft sockets send one-part messages only. */
export const ONE_PART_TYPES: ReadonlySet<number> = new Set([12, 13, 14, 15, 16, 17])
