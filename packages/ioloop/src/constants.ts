/** No events: an `updateHandler` mask that keeps only `ERROR` reporting. (tornado `IOLoop.NONE`) */
export const NONE = 0
/** The target can be read without blocking: a zmq socket has a message (`ZMQ_POLLIN`). (tornado `IOLoop.READ`) */
export const READ = 0x001
/** The target can be written without blocking: a zmq socket accepts a message (`ZMQ_POLLOUT`). (tornado `IOLoop.WRITE`) */
export const WRITE = 0x004
/** The target failed: a zmq socket was closed behind the loop's back, or the fd reported an error or hang-up. (tornado `IOLoop.ERROR`) */
export const ERROR = 0x018

/** Every event bit a handler may register for. */
export const ALL_EVENTS = READ | WRITE | ERROR

// libzmq option numbers and ZMQ_EVENTS bits, read through zeromq.js's getInt32Option.
export const ZMQ_FD = 14
export const ZMQ_EVENTS = 15
export const ZMQ_TYPE = 16
/** libzmq's `ZMQ_TYPE` of a SUB socket. */
export const ZMQ_SUB = 2
/** libzmq's `ZMQ_TYPE` of an XPUB socket. */
export const ZMQ_XPUB = 9
export const ZMQ_POLLIN = 1
export const ZMQ_POLLOUT = 2

/** The longest delay Node's timers take (2^31 - 1 ms): a longer one fires after 1 ms with a warning. */
export const MAX_TIMER_DELAY = 0x7fffffff

/** The largest file descriptor `addHandler` accepts (a C `int`). */
export const MAX_FD = 0x7fffffff
