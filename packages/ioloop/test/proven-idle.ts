// A native receive that hit EAGAIN proves a socket unreadable; told so (LoopServices.noteSocketCall with
// READ), the loop skips the ZMQ_EVENTS re-check after the handler, and still sees every later message
// (libzmq re-armed the ZMQ_FD edge in that receive). Real sockets over tcp; reads counted, not timed.
import t, { type Test } from "tap"
import * as zmq from "zeromq"
import { NONE, READ, ZMQ_EVENTS } from "../src/constants.js"
import { servicesOf } from "../src/loop-services.js"
import { attachOrFail } from "./helpers/native-data-path.js"
import { newLoop, runUntilStopped } from "./helpers/loop.js"
import { socketPair } from "./helpers/sockets.js"

const MESSAGES = 200

// What the PULL socket saw (zeromq.js freezes its socket instances: this lives beside them). The loop's
// re-check runs synchronously right after the handler returns, so a read before the next microtask is one.
const seen = { eventReads: 0, rechecks: 0, handlerJustReturned: false }

/** A PULL socket whose ZMQ_EVENTS reads are counted (the loop reads them through getInt32Option). */
class CountingPull extends zmq.Pull {
  override getInt32Option(option: number): number {
    if (option === ZMQ_EVENTS) {
      seen.eventReads++
      if (seen.handlerJustReturned) seen.rechecks++
    }
    return super.getInt32Option(option)
  }
}

interface Outcome {
  received: string[]
  dispatches: number
  eventReads: number
  rechecks: number
}

/**
 * Sends MESSAGES one at a time, each after the previous arrived, to a PULL whose handler drains it natively
 * and then tells the loop `provenClear`; `afterProof` runs after that notice, still in the handler.
 */
async function pingThrough(t: Test, provenClear: number, afterProof = (_pull: zmq.Pull) => {}) {
  const [pull, push] = await socketPair(t, new CountingPull(), new zmq.Push())
  const native = attachOrFail(pull)
  const loop = newLoop(t)
  const services = servicesOf(loop)
  const outcome: Outcome = { received: [], dispatches: 0, eventReads: 0, rechecks: 0 }
  seen.eventReads = 0
  seen.rechecks = 0
  loop.addHandler(
    pull,
    () => {
      outcome.dispatches++
      for (let message = native.receive(); message !== undefined; message = native.receive()) {
        outcome.received.push(message[0]!.toString())
        if (outcome.received.length === MESSAGES) loop.stop()
        else void push.send(String(outcome.received.length))
      }
      services.noteSocketCall(pull, provenClear)
      afterProof(pull)
      seen.handlerJustReturned = true
      queueMicrotask(() => (seen.handlerJustReturned = false))
    },
    READ,
  )
  void push.send("0")
  await runUntilStopped(loop, 30_000)
  outcome.eventReads = seen.eventReads
  outcome.rechecks = seen.rechecks
  return outcome
}

const inOrder = [...Array(MESSAGES).keys()].map(String)

t.test("without a proof, the loop reads ZMQ_EVENTS again after each handler", async (t) => {
  const outcome = await pingThrough(t, NONE)
  t.same(outcome.received, inOrder, "every message, in order")
  t.equal(outcome.rechecks, outcome.dispatches, `${outcome.eventReads} reads in all`)
})

t.test("a receive that proved the socket unreadable spares the re-check, and nothing stalls", async (t) => {
  const outcome = await pingThrough(t, READ)
  t.same(outcome.received, inOrder, "every message, in order")
  t.equal(outcome.rechecks, 0, `${outcome.eventReads} reads in all, for ${outcome.dispatches} dispatches`)
})

t.test("any call on the socket after the proof voids it", async (t) => {
  const outcome = await pingThrough(t, READ, (pull) => void pull.readable)
  t.same(outcome.received, inOrder, "every message, in order")
  t.equal(outcome.rechecks, outcome.dispatches, `${outcome.eventReads} reads in all`)
})
