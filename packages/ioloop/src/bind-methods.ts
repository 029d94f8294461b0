import { prototypeChain } from "./prototype-chain.js"

/** The prototypes whose methods already bind themselves on first access. */
const installed = new WeakSet<object>()
/** The method behind each accessor installed, for a subclass's prototype installed later. */
const methodOf = new WeakMap<Function, Function>()

/**
 * Makes every method on `instance`'s prototype chain a bound method when read from `instance`, so that a
 * method passed detached works as in Python, where `obj.method` is a bound method: `loop.addTimeout(t,
 * loop.stop)`, `new DelayedCallback(stream.close, 100)`. The most derived override wins, and assigning a
 * method on the instance (pyzmq's per-instance `handle_callback_exception`) replaces it. Bound copies are
 * not enumerable, so they do not show in `Object.keys()`.
 *
 * The copy is made at the first read of each method, not for all of them in the constructor: a stream
 * uses a handful of its ~40 methods, and 40 bound functions made up half of an idle stream's memory.
 * Reading `super.method` from a subclass gets the plain method, and caches nothing.
 */
export function bindMethods(instance: object): void {
  const own = Object.getPrototypeOf(instance) as object | null
  if (own === null || installed.has(own)) return
  installed.add(own)
  const seen = new Set<string>()
  for (const proto of prototypeChain(own, Object.prototype)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === "constructor" || seen.has(name)) continue
      seen.add(name)
      const descriptor = Object.getOwnPropertyDescriptor(proto, name)
      const method: unknown = descriptor?.get === undefined ? descriptor?.value : methodOf.get(descriptor.get)
      if (typeof method === "function") bindOnRead(own, name, method)
    }
  }
}

function defineOwn(target: object, name: string, value: unknown): void {
  Object.defineProperty(target, name, { configurable: true, enumerable: false, writable: true, value })
}

/** Puts an accessor for `name` on `proto` that gives each instance of it its own bound `method`. */
function bindOnRead(proto: object, name: string, method: Function): void {
  const get = function (this: object): Function {
    // The prototype itself, or `super.name` from a subclass's method: the plain method.
    if (Object.getPrototypeOf(this) !== proto) return method
    const bound = method.bind(this)
    defineOwn(this, name, bound)
    return bound
  }
  methodOf.set(get, method)
  Object.defineProperty(proto, name, {
    configurable: true,
    enumerable: false,
    get,
    set(this: object, value: unknown) {
      defineOwn(this, name, value)
    },
  })
}
