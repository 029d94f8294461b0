// Workload timers on Node's own timers: setTimeout / clearTimeout.
//   timers.mjs N WINDOW_MS
// Schedules N timeouts at the LCG delays (lib/common.mjs, lcgDelays), each counted
// from its own call, clears every odd-indexed one right after scheduling, and
// times from the start of scheduling until the last remaining one has fired.
import { PLAIN } from "../lib/impls.mjs"
import { lcgDelays, runWorkload, seconds, timersExpected, timersFields, workMark } from "../lib/common.mjs"

function timers({ n, size: windowMs }) {
  const delays = lcgDelays(n, windowMs)
  const expected = timersExpected(n)
  return new Promise((resolve) => {
    let fired = 0
    const marks = { t0: 0, t1: 0, t2: 0, tEnd: 0, work0: null, workEnd: null }
    const onTimeout = () => {
      if (++fired !== expected) return
      marks.tEnd = seconds()
      marks.workEnd = workMark()
      resolve(timersFields(n, windowMs, delays, fired, marks))
    }
    marks.t0 = seconds()
    marks.work0 = workMark()
    const handles = new Array(n)
    for (let i = 0; i < n; i++) handles[i] = setTimeout(onTimeout, delays[i])
    marks.t1 = seconds()
    for (let i = 1; i < n; i += 2) clearTimeout(handles[i])
    marks.t2 = seconds()
  })
}

runWorkload({ impl: PLAIN.name, usage: "timers.mjs N WINDOW_MS", main: timers, peerless: true })
