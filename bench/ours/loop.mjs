// The IOLoop every "ours" workload runs on. An error that the loop or a stream
// logs (a user callback threw, a send failed) ends the benchmark at once with
// exit code 2, as an uncaught error does on the plain side, instead of leaving
// the run to hang until the watchdog. ZMQ_BENCH_POLLER=interval puts it on the
// interval poller (bench/micro/interval-poller.mjs).
import { IOLoop } from "@zmq-eventloop/ioloop"
import { fail } from "../lib/common.mjs"

const failFastLogger = {
  ...console,
  error: (...args) => {
    console.error(...args)
    fail(new Error("the loop logged an error (above)"))
  },
}

export function newLoop() {
  return new IOLoop({ logger: failFastLogger, poller: process.env.ZMQ_BENCH_POLLER ?? "auto" })
}
