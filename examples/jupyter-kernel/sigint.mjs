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
// once for its whole life, so the watchdog's handler stays installed and runs start and stop inside it,
// and it never adds a 'SIGINT' listener (whose libuv handler would replace the watchdog's, and whose
// removal would bring back the default action). A signal while no vm run is under watch is then only
// recorded by the watchdog as pending: `takePending()` reads and forgets it.
const watchdog = process.binding("contextify")
if (typeof watchdog.startSigintWatchdog !== "function")
  throw new Error("this Node.js has no SIGINT watchdog in process.binding('contextify'): no interrupts")

let watching = false

/** Installs the watchdog's SIGINT handler for the rest of the process's life (once; later calls do nothing). */
export function watchSigint() {
  if (watching) return
  watchdog.startSigintWatchdog()
  watching = true
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
