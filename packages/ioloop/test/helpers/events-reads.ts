import type { Test } from "tap"
import { findDescriptor } from "../../src/socket-calls.js"

const ZMQ_EVENTS = 15

/**
 * Calls `onRead(socket)` for each `getInt32Option(ZMQ_EVENTS)` made on a socket of `classes` (the loop's
 * readiness read) until the test ends: a spy on the classes' prototypes, the sockets themselves stay real.
 */
export function onZmqEventsRead(t: Test, classes: Function[], onRead: (socket: unknown) => void): void {
  for (const Class of classes) {
    const proto = Class.prototype as { getInt32Option(id: number): number }
    const own = Object.getOwnPropertyDescriptor(proto, "getInt32Option")
    const inherited = proto.getInt32Option
    Object.defineProperty(proto, "getInt32Option", {
      configurable: true,
      writable: true,
      value: function counted(this: unknown, id: number) {
        if (id === ZMQ_EVENTS) onRead(this)
        return inherited.call(this, id)
      },
    })
    t.teardown(() => {
      if (own === undefined) delete (proto as { getInt32Option?: unknown }).getInt32Option
      else Object.defineProperty(proto, "getInt32Option", own)
    })
  }
}

/**
 * Calls `onRead(socket)` for each read of the `readable`/`writable` getters (zeromq.js reads `ZMQ_EVENTS`
 * for them) on a socket of `classes` until the test ends. Install it after a socket of each class was
 * registered with a loop: the loop's own wrapper of those getters is then the one spied on and put back.
 */
export function onReadinessGetterRead(t: Test, classes: Function[], onRead: (socket: unknown) => void): void {
  for (const Class of classes) {
    const proto = Class.prototype as object
    for (const name of ["readable", "writable"]) {
      const own = Object.getOwnPropertyDescriptor(proto, name)
      const getter = findDescriptor(proto, name)!.get!
      Object.defineProperty(proto, name, {
        configurable: true,
        get(this: unknown) {
          onRead(this)
          return getter.call(this)
        },
      })
      t.teardown(() => {
        if (own === undefined) delete (proto as Record<string, unknown>)[name]
        else Object.defineProperty(proto, name, own)
      })
    }
  }
}
