/**
 * Noting calls made on a registered zmq socket.
 *
 * libzmq's `ZMQ_FD` is an edge signal: it fires once when the socket's state may have changed, and any
 * read of `ZMQ_EVENTS` re-arms it. zeromq.js reads `ZMQ_EVENTS` inside `send()`, `receive()`, and the
 * `readable`/`writable` getters, so a call made outside the loop's dispatch (a send from a timer, a
 * `for await` elsewhere) can swallow the edge that would have woken the loop, and a handler would then
 * miss readiness. The loop therefore hears of every such call on a registered socket and re-checks the
 * socket afterwards; `close()` is noted too, so a socket closed behind the loop's back reports `ERROR`
 * at the next iteration.
 *
 * zeromq.js freezes its socket instances and defines `close`, `readable` and `writable` as
 * non-configurable on its native `Socket` prototype, so the members are wrapped once on the socket's own
 * class prototype (`Dealer.prototype`…), shadowing the native ones; the wrapper looks the socket up in a
 * WeakMap, which costs sockets of that class that are not registered one lookup per call.
 */

const NOTED_METHODS = ["send", "receive", "close"] as const
const NOTED_GETTERS = ["readable", "writable"] as const

const listeners = new WeakMap<object, () => void>()
const wrappedMembers = new WeakMap<object, Set<string>>()

function notify(socket: unknown): void {
  if (typeof socket === "object" && socket !== null) listeners.get(socket)?.()
}

function findDescriptor(proto: object, name: string): PropertyDescriptor | undefined {
  for (
    let owner: object | null = proto;
    owner !== null;
    owner = Object.getPrototypeOf(owner) as object | null
  ) {
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
    Object.defineProperty(owner, name, {
      configurable: true,
      enumerable: false,
      writable: false,
      value: function noted(this: unknown, ...args: unknown[]) {
        try {
          return method.apply(this, args)
        } finally {
          notify(this)
        }
      },
    })
  } else if (getter !== undefined) {
    Object.defineProperty(owner, name, {
      configurable: true,
      enumerable: false,
      get(this: unknown) {
        try {
          return getter.call(this)
        } finally {
          notify(this)
        }
      },
    })
  }
}

/** Makes `onCall()` run after each noted member call on `socket`. Returns the function that undoes it. */
export function noteSocketCalls(socket: object, onCall: () => void): () => void {
  const proto = Object.getPrototypeOf(socket) as object
  for (const name of [...NOTED_METHODS, ...NOTED_GETTERS]) wrapMember(proto, name)
  listeners.set(socket, onCall)
  return () => listeners.delete(socket)
}
