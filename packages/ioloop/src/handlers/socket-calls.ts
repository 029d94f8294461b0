/**
 * Noting calls made on a registered zmq socket.
 *
 * libzmq's `ZMQ_FD` is an edge signal: it fires once when the socket's state may have changed, and any
 * read of `ZMQ_EVENTS` re-arms it. Two things therefore go stale behind the loop's back: the edge (zeromq.js
 * reads `ZMQ_EVENTS` inside `send()`, `receive()` and the `readable`/`writable` getters, so a call made
 * outside the loop's dispatch can swallow the edge that would have woken it) and the `ZMQ_EVENTS` value the
 * loop last read (a `connect()`, `bind()`, `subscribe()` or option change can make a socket writable or
 * readable without a new edge). So the rule is not per method: every method call on a registered socket,
 * and every `readable`/`writable` read, tells the loop to forget what it knows and re-check the socket. Only
 * the `get…Option` readers are left alone: they change nothing, and the loop itself reads `ZMQ_EVENTS`
 * through `getInt32Option`. Option setters are covered because zeromq.js's option properties call
 * `this.set…Option`.
 *
 * zeromq.js freezes its socket instances and defines `close`, `readable` and `writable` as
 * non-configurable on its native `Socket` prototype, so the members are wrapped once on the socket's own
 * class prototype (`Dealer.prototype`…), shadowing the inherited ones; the wrapper looks the socket up in a
 * WeakMap, which costs sockets of that class that are not registered one lookup per call.
 */

import { errorCode } from "../errors.js"
import { prototypeChain } from "../prototype-chain.js"
import { clearTimeout, setTimeout } from "../timers/host-timers.js"
import { isThenable } from "../validate.js"

const NOTED_GETTERS = ["readable", "writable"]
// zeromq.js runs these on a worker thread and blocks the socket (EBUSY) until their promise settles: the
// socket is checked again then, so a send refused meanwhile goes out.
const SETTLING_METHODS: ReadonlySet<string> = new Set(["bind", "unbind"])
const PURE_METHOD = /^get[A-Za-z0-9]*Option$/
// A bind/unbind that started before the socket was registered is not seen by the wrapper: while zeromq.js
// still holds the socket for it, the loop asks again after 1 ms, doubling to 64 ms.
const FIRST_HELD_CHECK_MS = 1
const LAST_HELD_CHECK_MS = 64

/**
 * What a noted call means for the loop: `"call"`, forget what was read and check again; `"read"`, the same,
 * but the call (a `receive()`, a `readable`/`writable` read) cannot have taken the socket's room to send;
 * `"busy"`, zeromq.js started a bind/unbind on a worker thread (libzmq sockets are not thread-safe: the loop
 * must not touch the socket, not even to read `ZMQ_EVENTS`, until it settles); `"settled"`, that operation
 * is over.
 */
export type SocketCallPhase = "call" | "read" | "busy" | "settled"

/** Told of the noted calls on one socket. */
export type SocketCallListener = (phase: SocketCallPhase) => void

/**
 * Told of the events of a socket's life that its ZMQStream acts on at once, beyond the loop's re-checks:
 * the stream re-attaches its data path when a bind settles, and stops delivering when the socket closes.
 */
export interface SocketLifeListener {
  /** A `bind()`/`unbind()` that held the socket on a worker thread settled (fulfilled or rejected). */
  workerSettled(): void
  /** `close()` was called on the socket and returned. */
  socketClosed(): void
  /**
   * `receive()` was called on the socket: the oldest message the stream took from libzmq but has not
   * delivered, taken out (the call resolves to it, as it would have from libzmq), or `undefined` (the call
   * goes to zeromq.js).
   */
  takeHeld(): Promise<Buffer[]> | undefined
  /** Whether the stream holds messages it took from libzmq and has not delivered (`readable` then says true). */
  holdsMessages(): boolean
}

/** Per socket, the listener of each loop it is registered on (a socket may be on several, as in tornado). */
const listeners = new WeakMap<object, SocketCallListener[]>()
/** Per socket, the life listener of each stream on it (streams of several loops may share a socket). */
const lifeListeners = new WeakMap<object, SocketLifeListener[]>()
const wrappedMembers = new WeakMap<object, Set<string>>()
/** The `noted` wrappers installed, so the native member they shadow can be found. */
const wrappers = new WeakSet<Function>()
/** Binds/unbinds in flight per socket, as the wrappers saw them start (registered sockets or not). */
const workerCalls = new WeakMap<object, number>()
/**
 * Sockets {@link heldByWorker} found free once their class was wrapped: every bind/unbind on them since
 * went through a wrapper, so {@link workerCalls} answers for them without asking zeromq.js (~6 µs: the
 * probe makes libzmq process the socket's commands).
 */
const seenFree = new WeakSet<object>()

function countWorkerCall(socket: object, change: 1 | -1): void {
  workerCalls.set(socket, (workerCalls.get(socket) ?? 0) + change)
}

function notify(socket: unknown, phase: SocketCallPhase = "call"): void {
  if (typeof socket !== "object" || socket === null) return
  const told = listeners.get(socket)
  if (told === undefined) return
  for (let index = 0; index < told.length; index++) told[index]!(phase)
}

/** The descriptor of `name` on `proto` or the nearest ancestor that has one. */
export function findDescriptor(proto: object, name: string): PropertyDescriptor | undefined {
  for (const owner of prototypeChain(proto)) {
    const descriptor = Object.getOwnPropertyDescriptor(owner, name)
    if (descriptor !== undefined) return descriptor
  }
  return undefined
}

function wrapMember(owner: object, name: string): void {
  const done = wrappedMembers.get(owner) ?? new Set<string>()
  wrappedMembers.set(owner, done)
  if (done.has(name)) return
  done.add(name)
  const descriptor = findDescriptor(owner, name)
  if (descriptor === undefined) return
  const { value: method, get: getter } = descriptor
  if (typeof method === "function") {
    const settling = SETTLING_METHODS.has(name)
    const takesHeld = name === "receive" // a stream's held messages come first
    const phase: SocketCallPhase = takesHeld ? "read" : "call"
    const closes = name === "close"
    const noted = function noted(this: unknown, ...args: unknown[]) {
      if (takesHeld) {
        const held = takeHeld(this as object)
        if (held !== undefined) {
          notify(this, "read")
          return held
        }
      }
      if (settling) {
        countWorkerCall(this as object, 1)
        notify(this, "busy") // before the worker starts
      }
      let result: unknown
      try {
        result = method.apply(this, args)
      } catch (error) {
        if (settling) {
          countWorkerCall(this as object, -1)
          notify(this, "settled") // refused at once: no worker runs
        }
        throw error
      } finally {
        notify(this, phase)
      }
      if (closes) tellLife(this as object, "socketClosed")
      if (settling) {
        const settled = () => {
          countWorkerCall(this as object, -1)
          notify(this, "settled")
          tellLife(this as object, "workerSettled")
        }
        if (isThenable(result)) result.then(settled, settled)
        else settled()
      }
      return result
    }
    wrappers.add(noted)
    Object.defineProperty(owner, name, {
      configurable: true,
      enumerable: false,
      writable: false,
      value: noted,
    })
  } else if (getter !== undefined) {
    const countsHeld = name === "readable" // true while a stream holds messages libzmq no longer shows
    Object.defineProperty(owner, name, {
      configurable: true,
      enumerable: false,
      get(this: unknown) {
        try {
          if (countsHeld && lifeListeners.get(this as object)?.some((listener) => listener.holdsMessages()))
            return true
          return getter.call(this)
        } finally {
          notify(this, "read")
        }
      },
    })
  }
}

/** The methods of `proto` and its ancestors (below `Object.prototype`) whose calls are noted. */
function notedMethodNames(proto: object): Set<string> {
  const names = new Set<string>()
  for (const owner of prototypeChain(proto, Object.prototype)) {
    for (const name of Object.getOwnPropertyNames(owner)) {
      if (name === "constructor" || PURE_METHOD.test(name)) continue
      if (typeof Object.getOwnPropertyDescriptor(owner, name)?.value === "function") names.add(name)
    }
  }
  return names
}

function wrapSocketClass(socket: object): void {
  const proto = Object.getPrototypeOf(socket) as object
  if (!wrappedMembers.has(proto)) {
    for (const name of [...notedMethodNames(proto), ...NOTED_GETTERS]) wrapMember(proto, name)
  }
}

/**
 * Makes `onCall(phase)` run for each noted member call on `socket`, beside the listeners of other loops the
 * socket is registered on. Returns the function that undoes it (for this listener only).
 * A bind/unbind that holds the socket already (started before this) is reported as `"busy"` now and
 * `"settled"` once zeromq.js lets the socket go, found by asking it on a timer.
 */
export function noteSocketCalls(socket: object, onCall: SocketCallListener): () => void {
  wrapSocketClass(socket)
  const told = listeners.get(socket)
  if (told === undefined) listeners.set(socket, [onCall])
  else told.push(onCall)
  const stopWatchingHeld = heldByWorker(socket) ? watchHeldSocket(socket, onCall) : () => {}
  return () => {
    stopWatchingHeld()
    const remaining = listeners.get(socket)?.filter((listener) => listener !== onCall) ?? []
    if (remaining.length > 0) listeners.set(socket, remaining)
    else listeners.delete(socket)
  }
}

/**
 * Whether zeromq.js holds `socket` for a bind/unbind on its worker thread: its calls that check the socket
 * then throw EBUSY. Asked through the native `disconnect("")` (not the noted wrapper): zeromq.js checks the
 * socket before libzmq refuses the empty endpoint (EINVAL), so nothing changes. Once found free, the
 * wrappers' count answers (see {@link seenFree}).
 */
function heldByWorker(socket: object): boolean {
  if (seenFree.has(socket)) return (workerCalls.get(socket) ?? 0) > 0
  const held = askZeromqJsIfHeld(socket)
  if (!held) seenFree.add(socket)
  return held
}

function askZeromqJsIfHeld(socket: object): boolean {
  let disconnect: unknown
  for (const owner of prototypeChain(Object.getPrototypeOf(socket) as object | null)) {
    disconnect = Object.getOwnPropertyDescriptor(owner, "disconnect")?.value
    if (typeof disconnect === "function" && !wrappers.has(disconnect)) break
  }
  if (typeof disconnect !== "function") return false
  try {
    disconnect.call(socket, "")
  } catch (error) {
    return errorCode(error) === "EBUSY"
  }
  return false
}

/** Reports `socket` busy now and settled once zeromq.js lets it go. Returns the function that stops it. */
function watchHeldSocket(socket: object, onCall: SocketCallListener): () => void {
  onCall("busy")
  let delay = FIRST_HELD_CHECK_MS
  const check = (): void => {
    if (heldByWorker(socket)) {
      delay = Math.min(delay * 2, LAST_HELD_CHECK_MS)
      timer = setTimeout(check, delay).unref()
      return
    }
    timer = undefined
    onCall("settled")
    tellLife(socket, "workerSettled")
  }
  let timer: NodeJS.Timeout | undefined = setTimeout(check, delay).unref()
  return () => clearTimeout(timer)
}

/**
 * Tells `listener` of `socket`'s settled binds and its close, and asks it for held messages at each
 * `receive()`, beside the other streams on the socket. Returns the undo (for this listener only).
 */
export function watchSocketLife(socket: object, listener: SocketLifeListener): () => void {
  wrapSocketClass(socket)
  lifeListeners.set(socket, [...(lifeListeners.get(socket) ?? []), listener])
  return () => {
    const remaining = lifeListeners.get(socket)?.filter((each) => each !== listener) ?? []
    if (remaining.length > 0) lifeListeners.set(socket, remaining)
    else lifeListeners.delete(socket)
  }
}

/**
 * Tells every stream on `socket` of an event of its life. The list is replaced, never changed in place, so a
 * stream that closes (and removes its listener) does not disturb the walk.
 */
function tellLife(socket: object, event: "socketClosed" | "workerSettled"): void {
  for (const listener of lifeListeners.get(socket) ?? []) listener[event]()
}

/** The oldest message a stream on `socket` took from libzmq and has not delivered, taken out. */
function takeHeld(socket: object): Promise<Buffer[]> | undefined {
  for (const listener of lifeListeners.get(socket) ?? []) {
    const held = listener.takeHeld()
    if (held !== undefined) return held
  }
  return undefined
}
