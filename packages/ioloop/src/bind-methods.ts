/**
 * Gives `instance` its own bound copy of every method on its prototype chain, so that a method passed
 * detached works as in Python, where `obj.method` is a bound method: `loop.addTimeout(t, loop.stop)`,
 * `new DelayedCallback(stream.close, 100)`. The most derived override wins, and assigning a method on the
 * instance afterwards (pyzmq's per-instance `handle_callback_exception`) still replaces it. The copies are
 * not enumerable, so they do not show in `Object.keys()`.
 */
export function bindMethods(instance: object): void {
  for (
    let proto = Object.getPrototypeOf(instance) as object | null;
    proto !== null && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === "constructor" || Object.hasOwn(instance, name)) continue
      const method: unknown = Object.getOwnPropertyDescriptor(proto, name)?.value
      if (typeof method !== "function") continue
      Object.defineProperty(instance, name, {
        configurable: true,
        enumerable: false,
        writable: true,
        value: (method as Function).bind(instance),
      })
    }
  }
}
