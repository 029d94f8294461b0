import type { Test } from "tap"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import type * as zmq from "zeromq"
import { ZMQ_FD } from "../../src/constants.js"
import { loadDataPathAddon, type DataPathAddon } from "../../src/native/addon.js"
import { nativeDataPathRefusal } from "../../src/native/availability.js"
import { attachDataPath, NativeDataPath } from "../../src/native/data-path.js"
import {
  loadFdWatcher,
  UV_READABLE,
  type FdWatcher,
  type FdWatcherConstructor,
} from "../../src/native/fd-watcher.js"

export const DEADLINE_MS = 10_000

const loadedAddon = loadDataPathAddon()
if (loadedAddon instanceof Error) throw new Error(`build the addon first (${loadedAddon.message})`)
/** The addon's data path functions, for tests that call them below NativeDataPath (after the self-test learned the layout). */
export const addon: DataPathAddon = loadedAddon
const refusal = nativeDataPathRefusal()
if (refusal !== null) throw new Error(`the native data path is off: ${refusal}`)

const loadedWatcher = loadFdWatcher()
if (loadedWatcher instanceof Error) throw new Error(`build the addon first (${loadedWatcher.message})`)
const Watcher: FdWatcherConstructor = loadedWatcher

/** A full garbage collection (tap runs tests without --expose-gc, so the flag is set at run time). */
export const collectGarbage: () => void = (() => {
  setFlagsFromString("--expose-gc")
  return runInNewContext("gc") as () => void
})()

/** The zeromq.js option getter that its typings mark protected. */
export function intOption(socket: zmq.Socket, option: number): number {
  return (socket as unknown as { getInt32Option(option: number): number }).getInt32Option(option)
}

/** The socket's native data path; fails the test when it is refused. */
export function attachOrFail(socket: zmq.Socket): NativeDataPath {
  const path = attachDataPath(socket)
  if (!(path instanceof NativeDataPath)) throw new Error(`attach refused: ${path.reason}`)
  return path
}

/**
 * A watcher's slot that the test's teardown closes. Made in a scope of its own: a closure keeps its whole
 * scope alive, and a teardown closure made beside a promise's `resolve` would keep every settled promise, and
 * its value, alive until the test ends (512 received 1 MiB frames, in one test).
 */
function closedAtTeardown(t: Test): { watcher?: FdWatcher } {
  const slot: { watcher?: FdWatcher } = {}
  t.teardown(() => slot.watcher?.close())
  return slot
}

/**
 * Resolves once `ready()` returns something other than `undefined`, trying it now and after every wake-up
 * of `socket`'s ZMQ_FD (so `ready` must read the socket, which re-arms the fd's edge); rejects with
 * `what` after `ms`.
 */
export function whenReady<T>(
  t: Test,
  socket: zmq.Socket,
  ready: () => T | undefined,
  what: string,
  ms = DEADLINE_MS,
): Promise<T> {
  const slot = closedAtTeardown(t)
  return new Promise<T>((resolve, reject) => {
    const finish = (settle: () => void) => {
      clearTimeout(timer)
      watcher.close()
      slot.watcher = undefined
      settle()
    }
    const attempt = () => {
      try {
        const value = ready()
        if (value !== undefined) finish(() => resolve(value))
      } catch (error) {
        finish(() => reject(error as Error))
      }
    }
    const timer = setTimeout(() => finish(() => reject(new Error(`no ${what} within ${ms} ms`))), ms)
    const watcher = new Watcher(intOption(socket, ZMQ_FD), true, attempt)
    slot.watcher = watcher
    watcher.start(UV_READABLE)
    attempt()
  })
}

/** The next message `path` receives, waiting for it on the socket's ZMQ_FD. */
export function nextMessage(t: Test, path: NativeDataPath, what = "message"): Promise<Buffer[]> {
  return whenReady(t, path.socket, () => path.receive(), what)
}

/** The Error a call throws, failing the test when it does not throw. */
export function thrownBy(call: () => unknown): Error & { code?: string; errno?: number } {
  try {
    call()
  } catch (error) {
    return error as Error
  }
  throw new Error("expected the call to throw")
}
