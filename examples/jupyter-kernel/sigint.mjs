// How the kernel takes SIGINT (sent by Jupyter in "signal" mode, raised by the channels worker on an
// interrupt_request in "message" mode) without ever leaving it to Node's default action, which would
// end the kernel.
//
// vm's `breakOnSigint` stops a cell's synchronous code through Node's SIGINT watchdog
// (src/node_watchdog.cc): the watchdog's first Start installs a handler that stops every vm run under
// watch, and its last Stop installs Node's exit-on-SIGINT handler again. Around each run, lib/vm.js also
// removes the process's 'SIGINT' listeners and re-adds them afterwards; removing the last one makes libuv
// restore the default action. A signal in those gaps (microseconds per cell) ended the kernel.
//
// Node's REPL closes them by starting the watchdog once more around its runs (contextify's
// `startSigintWatchdog`, which `process.binding` still reaches on Node 20 to 26). The kernel starts it
// once for its whole life, so the watchdog's handler stays installed and runs start and stop inside it.
// A signal while no vm run is under watch is then only recorded by the watchdog as pending:
// `takePendingSigint()` reads and forgets it.
//
// A 'SIGINT' listener would undo that: adding one installs libuv's handler over the watchdog's, and
// removing the last one (vm.js does, around each run) installs the default action. So the kernel owns
// SIGINT: it removes the listeners it finds at start (a preloaded module's, e.g. signal-exit, which
// re-raises the signal to end the process) and those a cell adds, once the cell lets the loop run.
const watchdog = process.binding("contextify")
if (typeof watchdog.startSigintWatchdog !== "function")
  throw new Error("this Node.js has no SIGINT watchdog in process.binding('contextify'): no interrupts")

let watching = false

/** Installs the watchdog's SIGINT handler for the rest of the process's life (once; later calls do nothing). */
export function watchSigint() {
  if (watching) return
  process.removeAllListeners("SIGINT")
  watchdog.startSigintWatchdog()
  watching = true
  let reclaiming = false
  process.on("newListener", (event) => {
    if (event !== "SIGINT" || reclaiming) return
    reclaiming = true
    setImmediate(() => {
      reclaiming = false
      reclaimSigint()
    })
  })
}

/** Removes the 'SIGINT' listeners a cell added (telling it on stderr) and installs the watchdog's handler again. */
function reclaimSigint() {
  const count = process.listenerCount("SIGINT")
  if (count > 0)
    process.stderr.write(
      `removed ${count} 'SIGINT' listener(s): in this kernel, SIGINT interrupts the cell\n`,
    )
  process.removeAllListeners("SIGINT")
  // The only moment a signal meets the default action: between these two calls, once per such cell.
  watchdog.stopSigintWatchdog()
  watchdog.startSigintWatchdog()
}

/**
 * Whether a SIGINT came while no vm run was under watch, since the last call (and forgets it). A run
 * under watch that ends forgets it too: a signal it did not see came before or after it.
 */
export function takePendingSigint() {
  watchSigint()
  // The watchdog keeps the flag until a Stop; one on top of our permanent Start never uninstalls it.
  watchdog.startSigintWatchdog()
  return watchdog.stopSigintWatchdog()
}
