import { errorCode } from "../errors.js"

/**
 * Runs a synchronous libzmq call made through zeromq.js again while it fails with EINTR. libzmq's calls that
 * process a socket's pending commands first (reading `ZMQ_EVENTS`, `connect`, `disconnect`…) poll(2) its
 * mailbox, which a signal interrupts: a profiler's SIGPROF, a child process's SIGCHLD. Nothing happened then,
 * so the call is made again, as pyzmq does for its socket calls and zeromq.js for its own `readable`,
 * `send()` and `receive()`; zeromq.js's other synchronous methods throw the EINTR.
 */
export function retryInterrupted<T>(call: () => T): T {
  for (;;) {
    try {
      return call()
    } catch (error) {
      if (errorCode(error) !== "EINTR") throw error
    }
  }
}
