// The two implementations `pnpm bench` compares: the folder holding the five
// workload scripts and the `impl` name their JSON lines carry. Plain first: it
// is the reference every ratio (ours / plain) is taken against.
export const PLAIN = { dir: "plain", name: "plain-zeromq.js" }
export const OURS = { dir: "ours", name: "zmq-eventloop" }
export const IMPLS = [PLAIN, OURS]
