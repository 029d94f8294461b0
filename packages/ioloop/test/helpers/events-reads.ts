import type { Test } from "tap"

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
