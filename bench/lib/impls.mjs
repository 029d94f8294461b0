// The implementations `pnpm bench` compares: the folder holding the five workload scripts, the `impl`
// name their JSON lines carry, and the environment they run with. Plain first: it is the reference every
// ratio (ours / plain) is taken against. Ours runs twice: on its default (native) data path, and on the
// zeromq.js data path (ZMQ_EVENTLOOP_NATIVE=0), so the gain of each layer shows.
export const PLAIN = { dir: "plain", name: "plain-zeromq.js", env: {} }
export const OURS = { dir: "ours", name: "zmq-eventloop", env: {} }
export const OURS_ZEROMQ_PATH = {
  dir: "ours",
  name: "ours, zeromq.js path",
  env: { ZMQ_EVENTLOOP_NATIVE: "0" },
}
export const IMPLS = [PLAIN, OURS, OURS_ZEROMQ_PATH]
