/**
 * Whether this env may use the native data path, decided once, at the first attach (nothing runs
 * at import: no socket, no top-level await). Any doubt means no: the streams then use the zeromq.js
 * data path, and {@link nativeDataPathRefusal} says why.
 * @module
 */
import { createRequire } from "node:module"
import type * as Zmq from "zeromq"
import { debug } from "../logger.js"
import { loadDataPathAddon, type DataPathAddon } from "./addon.js"
import { haveSpareFds } from "./fd-headroom.js"
import { runSelfTest } from "./self-test.js"

// A CommonJS bundle made without a shim for import.meta.url leaves it empty: its own require() resolves then.
const requireHere: NodeJS.Require =
  typeof import.meta.url === "string" ? createRequire(import.meta.url) : require

/** Why the native data path is not used (for an env, or for one socket). */
export interface DataPathRefusal {
  readonly reason: string
  /**
   * `true` when the only reason is a `bind()`/`unbind()` that zeromq.js is running on a worker
   * thread: attaching again once it settled can succeed.
   */
  readonly busy?: boolean
  /**
   * `true` when the env's checks could not run because the process is out of file descriptors: the
   * refusal is not kept, and the next attach checks again.
   */
  readonly transient?: boolean
}

/** What the native data path runs on once the checks passed. */
export interface NativeDataPathSupport {
  readonly addon: DataPathAddon
  /** The zeromq package this package resolves, whose sockets the self-test checked. */
  readonly zeromq: typeof Zmq
}

// File descriptors the checks need at once: the self-test's context and sockets hold 8 (measured), the
// addon's reads of zeromq.js's objects a pipe each. libzmq aborts the process when a context cannot make
// its epoll fd (an errno_assert), so the self-test must not start short of them.
const CHECK_FDS = 16

/**
 * The checks, cheapest first: the environment switch, room for the self-test's file descriptors, the
 * addon, zeromq.js, then the self-test, which learns and proves zeromq.js's socket layout at run time
 * (no version is assumed); unless another env of the process (the main thread, for a worker) already
 * proved the layout of `socket`'s zeromq.js image, which this env then adopts. Never throws: every failure
 * is a refusal.
 */
export function checkNativeDataPath(
  env: NodeJS.ProcessEnv = process.env,
  given?: DataPathAddon | Error,
  socket?: object,
): NativeDataPathSupport | DataPathRefusal {
  if (env.ZMQ_EVENTLOOP_NATIVE === "0") return { reason: "ZMQ_EVENTLOOP_NATIVE=0" }
  if (!haveSpareFds(CHECK_FDS)) {
    return {
      reason: `the process is out of file descriptors, of which the self-test needs ${CHECK_FDS}; the next attach checks again`,
      transient: true,
    }
  }
  const addon = given ?? loadDataPathAddon()
  if (addon instanceof Error) return { reason: `no native data path in the addon: ${addon.message}` }
  let zeromq: typeof Zmq
  try {
    zeromq = requireHere("zeromq") as typeof Zmq
  } catch (error) {
    return { reason: `zeromq cannot be loaded: ${(error as Error).message}` }
  }
  // A self-test of its own would leave this env's private zmq.Context behind (zeromq.js 6 terminates it
  // only at process exit: three fds for every worker that ever made a stream).
  if (socket instanceof zeromq.Socket) {
    const notAdopted = addon.adoptLayout(socket)
    if (notAdopted === null) {
      debug("native data path: zeromq.js's layout adopted from another thread's self-test")
      return { addon, zeromq }
    }
    debug("native data path: running the self-test (no layout to adopt: %s)", notAdopted)
  }
  const failure = runSelfTest(zeromq, addon)
  if (failure !== null) {
    // A layout that is wrong fails every run; one run can also fail by chance (a neighbour's byte that
    // changed with the probe's state, a libzmq call a signal interrupted in zeromq.js), and the refusal is
    // kept for the env's life: so one more run decides.
    const again = runSelfTest(zeromq, addon)
    debug("native data path: self-test failed (%s); again: %s", failure, again ?? "passed")
    if (again !== null) return { reason: `self-test failed: ${again}` }
  }
  addon.shareLayout()
  return { addon, zeromq }
}

let support: NativeDataPathSupport | DataPathRefusal | undefined
/** Whether the debug line for `ZMQ_EVENTLOOP_NATIVE=0` was written (once: the switch is read at every attach). */
let switchedOffSaid = false

/**
 * The addon and zeromq module when this env uses the native data path, else why not; checked on the
 * first call (`ZMQ_EVENTLOOP_NATIVE=0` at every call, so a program can switch it per stream), and again
 * after a refusal for want of file descriptors. `socket`, the one being attached, may spare the self-test
 * (see {@link checkNativeDataPath}).
 */
export function nativeDataPathSupport(socket?: object): NativeDataPathSupport | DataPathRefusal {
  if (process.env.ZMQ_EVENTLOOP_NATIVE === "0") {
    if (!switchedOffSaid) debug("native data path: off (ZMQ_EVENTLOOP_NATIVE=0)")
    switchedOffSaid = true
    return { reason: "ZMQ_EVENTLOOP_NATIVE=0" }
  }
  if (support !== undefined) return support
  const checked = checkNativeDataPath(process.env, undefined, socket)
  debug("native data path: %s", "reason" in checked ? `off (${checked.reason})` : "on")
  if (!("transient" in checked)) support = checked // only a refusal for want of fds has it
  return checked
}

/** Why this env does not use the native data path, or `null` when it does (runs the checks if not done yet). */
export function nativeDataPathRefusal(): string | null {
  const current = nativeDataPathSupport()
  return "reason" in current ? current.reason : null
}
