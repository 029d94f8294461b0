// The implementations `pnpm bench` compares: the folder holding the five workload scripts, the `impl`
// name their JSON lines carry, and the environment they run with. Plain first: it is the reference every
// ratio (ours / plain) is taken against. Ours runs twice: on its default (native) data path, and on the
// zeromq.js data path (ZMQ_EVENTLOOP_NATIVE=0), so the gain of each layer shows. C libzmq last: the
// shared baselines' C programs (bench/c, raw libzmq, blocking API, built with make), C against C, the
// ceiling; it has no timers workload and reports no peak RSS.
export const PLAIN = { dir: "plain", name: "plain-zeromq.js", env: {} }
export const OURS = { dir: "ours", name: "zmq-eventloop", env: {} }
export const OURS_ZEROMQ_PATH = {
  dir: "ours",
  name: "ours, zeromq.js path",
  env: { ZMQ_EVENTLOOP_NATIVE: "0" },
}
export const C_LIBZMQ = { dir: "c/build", name: "C libzmq", env: {}, executable: true }
export const IMPLS = [PLAIN, OURS, OURS_ZEROMQ_PATH, C_LIBZMQ]
