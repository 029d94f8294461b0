// Ports pass bound methods, as Python allows: `loop.add_timeout(t, loop.stop)`. Every public method of
// IOLoop, PeriodicCallback and DelayedCallback works when detached from its object.
import t from "tap"
import { DelayedCallback, IOLoop, PeriodicCallback } from "../src/index.js"
import { newLoop, runUntilStopped } from "./helpers/loop.js"

t.test("loop.addTimeout(t, loop.stop) stops the loop", async (t) => {
  const loop = newLoop(t)
  loop.addTimeout(loop.time() + 5, loop.stop)
  await runUntilStopped(loop)
  t.same(loop.memory.lines, [], "nothing was logged")
})

t.test("detached loop methods schedule, time and stop", async (t) => {
  const loop = newLoop(t)
  const { addCallback, callLater, time, removeTimeout, running, stop } = loop
  const order: string[] = []
  addCallback(() => order.push(`running ${String(running())}`))
  const never = callLater(1, () => order.push("removed"))
  removeTimeout(never)
  callLater(2, () => {
    order.push(`time ${typeof time()}`)
    stop()
  })
  await runUntilStopped(loop)
  t.same(order, ["running true", "time number"])
})

t.test("a subclass's override is what the detached method calls", async (t) => {
  const seen: unknown[] = []
  class Reporting extends IOLoop {
    override handleCallbackException(_callback: Function, error: unknown): void {
      seen.push(error)
    }
  }
  const loop = new Reporting({ makeCurrent: false })
  t.teardown(() => loop.close())
  const { handleCallbackException } = loop
  handleCallbackException(() => {}, "direct")
  loop.addCallback(() => {
    throw "thrown"
  })
  loop.callLater(2, loop.stop)
  await runUntilStopped(loop)
  t.same(seen, ["direct", "thrown"])
})

t.test("PeriodicCallback and DelayedCallback methods work detached", async (t) => {
  const loop = newLoop(t)
  let ticks = 0
  const periodic = new PeriodicCallback(() => void ticks++, 1, loop)
  const delayed = new DelayedCallback(loop.stop, 1000, loop)
  const { start, stop, isRunning } = periodic
  start()
  t.ok(isRunning())
  const delayedStart = delayed.start
  const delayedStop = delayed.stop
  delayedStart()
  delayedStop()
  new DelayedCallback(stop, 5, loop).start()
  new DelayedCallback(loop.stop, 20, loop).start()
  await runUntilStopped(loop)
  t.notOk(isRunning(), "stopped by the detached stop()")
  t.notOk(delayed.isRunning(), "the detached stop() cancelled the delayed call")
  t.ok(ticks > 0)
})

t.test("an override that calls super works detached, whichever class was made first", async (t) => {
  // Methods bind themselves at their first read from an instance; super.method must stay the plain one.
  const plain = new IOLoop({ makeCurrent: false })
  t.teardown(() => plain.close())
  const calls: string[] = []
  class Counting extends IOLoop {
    override addCallback<A extends unknown[]>(callback: (...args: A) => unknown, ...args: A): void {
      calls.push("override")
      super.addCallback(callback, ...args)
    }
  }
  const loop = new Counting({ makeCurrent: false })
  t.teardown(() => loop.close())
  const { addCallback, stop } = loop
  addCallback(() => calls.push("ran"))
  addCallback(stop)
  await runUntilStopped(loop)
  t.same(calls, ["override", "override", "ran"])
  t.equal(loop.addCallback, addCallback, "the bound copy is kept on the instance")
  t.notOk(Object.keys(loop).includes("addCallback"), "and it is not enumerable")
})
