// Workload timers on zmq-eventloop's IOLoop: callLater / removeTimeout.
//   timers.mjs N WINDOW_MS
// From a loop callback, schedules N timeouts at the LCG delays (lib/common.mjs,
// lcgDelays) with loop.callLater, removes every odd-indexed one right after
// scheduling, and times from the start of scheduling until the last remaining
// one has fired.
import { OURS } from "../lib/impls.mjs"
import { lcgDelays, runWorkload, seconds, timersExpected, timersFields, workMark } from "../lib/common.mjs"
import { newLoop } from "./loop.mjs"

async function timers({ n, size: windowMs }) {
  const delays = lcgDelays(n, windowMs)
  const expected = timersExpected(n)
  const loop = newLoop()
  let fired = 0
  const marks = { t0: 0, t1: 0, t2: 0, tEnd: 0, work0: null, workEnd: null }
  const onTimeout = () => {
    if (++fired !== expected) return
    marks.tEnd = seconds()
    marks.workEnd = workMark()
    loop.stop()
  }
  loop.addCallback(() => {
    marks.t0 = seconds()
    marks.work0 = workMark()
    const handles = new Array(n)
    for (let i = 0; i < n; i++) handles[i] = loop.callLater(delays[i], onTimeout)
    marks.t1 = seconds()
    for (let i = 1; i < n; i += 2) loop.removeTimeout(handles[i])
    marks.t2 = seconds()
  })
  await loop.start()
  loop.close()
  return timersFields(n, windowMs, delays, fired, marks)
}

runWorkload({ impl: OURS.name, usage: "timers.mjs N WINDOW_MS", main: timers, peerless: true })
