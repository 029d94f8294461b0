import type { Test } from "tap"
import { findDescriptor } from "../../src/handlers/socket-calls.js"

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

/**
 * Calls `onCall(name)` for each call of a method or getter that sockets of `classes` have from zeromq.js
 * (every member of their prototype chains, the loop's own wrappers included), until the test ends: a spy
 * defined on each class's own prototype, shadowing the member (zeromq.js's native ones cannot be
 * redefined where they are); the sockets themselves stay real.
 */
export function onZeromqJsCall(t: Test, classes: Function[], onCall: (name: string) => void): void {
  for (const Class of classes) {
    const proto = Class.prototype as object
    const names = new Set<string>()
    for (let owner: object | null = proto; owner !== null && owner !== Object.prototype;) {
      for (const name of Object.getOwnPropertyNames(owner)) if (name !== "constructor") names.add(name)
      owner = Object.getPrototypeOf(owner) as object | null
    }
    for (const name of names) spyOn(t, proto, name, onCall)
  }
}

function spyOn(t: Test, proto: object, name: string, onCall: (name: string) => void): void {
  const own = Object.getOwnPropertyDescriptor(proto, name)
  if (own?.configurable === false) return // a socket option zeromq.js defined on the class: its calls are spied on below it
  const { get, set, value } = findDescriptor(proto, name)!
  if (get !== undefined || set !== undefined) {
    Object.defineProperty(proto, name, {
      configurable: true,
      get(this: unknown) {
        onCall(name)
        return get?.call(this)
      },
      set(this: unknown, newValue: unknown) {
        onCall(name)
        set?.call(this, newValue)
      },
    })
  } else if (typeof value === "function") {
    Object.defineProperty(proto, name, {
      configurable: true,
      writable: true,
      value: function spied(this: unknown, ...args: unknown[]) {
        onCall(name)
        return (value as Function).apply(this, args)
      },
    })
  } else {
    return
  }
  t.teardown(() => {
    if (own === undefined) delete (proto as Record<string, unknown>)[name]
    else Object.defineProperty(proto, name, own)
  })
}
