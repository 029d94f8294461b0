// Deadlines of the example programs, so that none can hang silently: a program with a finite job has a
// watchdog that says what is missing when it fires; a server stops on SIGINT/SIGTERM and says so if it is
// still running a few seconds later. Either way the process exits 1.
//
// Node timers, not the IOLoop's: they fire even when the loop is the thing that got stuck or was stopped.
// They are unref'd, so they never keep a process alive that has finished.

/** How long a server may take to exit after SIGINT or SIGTERM. */
const STOP_DEADLINE_MS = 5000

/**
 * Exits with status 1 after `ms` milliseconds, printing `<program>: <missing()> after <ms>` on stderr,
 * unless `cancel()` is called first. `missing` says what the program is still waiting for.
 */
export function watchdog(program, ms, missing) {
  return expireAfter(ms, () => `${program}: ${missing()} after ${duration(ms)}`)
}

/**
 * Stops `loop` on each of `signals` (from a callback, as the loop's own thread would), then gives the
 * process `STOP_DEADLINE_MS` to exit. Returns `stopSoon(reason)`, for the program's other ways to stop.
 */
export function stopOnSignals(loop, program, signals = ["SIGINT", "SIGTERM"]) {
  let stopping = false
  const stopSoon = (reason) => {
    if (stopping) return
    stopping = true
    loop.addCallbackFromSignal(() => loop.stop())
    expireAfter(
      STOP_DEADLINE_MS,
      () => `${program}: still running ${duration(STOP_DEADLINE_MS)} after ${reason}`,
    )
  }
  for (const signal of signals) process.once(signal, () => stopSoon(signal))
  return stopSoon
}

function expireAfter(ms, message) {
  const timer = setTimeout(() => {
    console.error(message())
    process.exit(1)
  }, ms)
  timer.unref()
  return { cancel: () => clearTimeout(timer) }
}

function duration(ms) {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`
}
