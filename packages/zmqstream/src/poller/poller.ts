import type { Socket } from "zeromq"
import { ERROR, IOLoop, READ, WRITE, type Timeout } from "@zmq-eventloop/ioloop"
import {
  bindMethods,
  describeValue,
  isZmqSocket,
  queueMicrotask,
  servicesOf,
  type LoopServices,
} from "@zmq-eventloop/ioloop/internal"
import { NullContext } from "@zmq-eventloop/stack-context"
import { reportedAtOnce } from "./always-ready.js"
import { POLLERR, POLLIN, POLLOUT } from "../constants.js"
import { pollFlagsArgument } from "../flag-arguments.js"
import { PollHub } from "./poll-hub.js"

/** What a {@link Poller} polls: a zeromq.js socket, or a plain file descriptor (on the loop's `fd` poller). */
export type PollTarget = Socket | number

/** What `poll()` resolves to: each ready target with its zmq events (`POLLIN | POLLOUT | POLLERR` bits). */
export type PollEvents = [target: PollTarget, events: number][]

const ALL_FLAGS = POLLIN | POLLOUT | POLLERR
const nullContext = new NullContext()

/** One `poll()` call waiting: how to settle it, and its timeout on the loop. */
class PendingPoll {
  timeout: Timeout | null = null
  /** Set by the timeout: settle with what is ready then, even if that is nothing. */
  expired = false

  constructor(readonly resolve: (events: PollEvents) => void) {}
}

/** The loop's events for zmq poll flags (`POLLOUT` is 2, `IOLoop.WRITE` 4); the loop adds `ERROR` itself. */
function loopEventsFor(flags: number): number {
  return (flags & POLLIN ? READ : 0) | (flags & POLLOUT ? WRITE : 0)
}

function zmqEventsFrom(events: number): number {
  return (events & READ ? POLLIN : 0) | (events & WRITE ? POLLOUT : 0) | (events & ERROR ? POLLERR : 0)
}

/**
 * pyzmq's asynchronous Poller (`zmq.asyncio.Poller`, `zmq.eventloop.future.Poller`) on an {@link IOLoop}:
 * `register()` sockets or file descriptors, then `await poll(timeout)` for the ones that are ready, as a
 * blocking `zmq_poll` loop would, without blocking the loop.
 *
 * - Level-triggered like `zmq_poll`: a socket still ready is reported again by the next `poll()`.
 * - `poll()` settles from the loop (never synchronously), once any registered target is ready or the timeout
 *   passes; polls pending at the same time settle together. Nothing is registered with the loop while no poll
 *   is pending, so an idle Poller costs nothing.
 * - After `POLLIN`, read with zeromq.js's own `socket.receive()` (any `receiveTimeout`): the loop notes calls
 *   on the sockets it watches and checks them again.
 * - A socket driven by a ZMQStream (or an `addHandler` of your own) cannot be polled: the loop takes one
 *   handler per socket. Any number of Pollers may poll the same socket.
 *
 * @example
 * ```ts
 * const poller = new Poller(loop)
 * poller.register(client, POLLIN)
 * const events = new Map(await poller.poll(2500))
 * if (events.get(client)! & POLLIN) console.log(await client.receive())
 * ```
 */
export class Poller {
  /** The loop this Poller waits on. */
  readonly ioLoop: IOLoop
  private readonly services: LoopServices
  private readonly hub: PollHub
  private readonly registered = new Map<PollTarget, number>()
  private readonly pending = new Set<PendingPoll>()
  /** zmq events the loop reported during its current iteration, handed to the polls once it ends. */
  private readonly reported = new Map<PollTarget, number>()
  private settleQueued = false

  /**
   * A Poller on `ioLoop` (default `IOLoop.current()`). (pyzmq `Poller()`, whose loop is the running one)
   * Its methods work detached (`const { poll } = poller`).
   * @throws TypeError when `ioLoop` is not an IOLoop; Error("IOLoop is closed").
   */
  constructor(ioLoop?: IOLoop) {
    if (ioLoop !== undefined && !(ioLoop instanceof IOLoop)) {
      throw new TypeError(`ioLoop must be an IOLoop, got ${describeValue(ioLoop)}`)
    }
    bindMethods(this)
    this.ioLoop = ioLoop ?? IOLoop.current()
    this.services = servicesOf(this.ioLoop)
    this.checkOpen()
    this.hub = PollHub.of(this.ioLoop, this.services)
  }

  /** The registered targets with their flags, in registration order. (pyzmq `poller.sockets`) */
  get sockets(): [target: PollTarget, flags: number][] {
    return [...this.registered]
  }

  /**
   * Polls `target` for `flags` (`POLLIN | POLLOUT`; `POLLERR` is always reported). Registering a target
   * again changes its flags; flags 0 unregisters it, as in pyzmq. A target added while a poll is pending
   * takes part in it.
   * Left out, `flags` is `POLLIN | POLLOUT`; `undefined` is refused (a port's `zmq.POLLIN` on zeromq.js).
   * @throws TypeError / RangeError for a bad argument (a plain fd needs the loop's `fd` poller); Error when
   * the socket is closed, is registered with the loop by a ZMQStream or `addHandler`, or the loop is closed.
   */
  register(target: PollTarget): void
  register(target: PollTarget, flags: number): void
  register(target: PollTarget, ...flags: [flags?: number]): void {
    this.registerFlags(target, pollFlagsArgument("flags", flags, POLLIN | POLLOUT))
  }

  /** Same as `register(target, flags)`. (pyzmq `modify`) @throws as `register`. */
  modify(target: PollTarget): void
  modify(target: PollTarget, flags: number): void
  modify(target: PollTarget, ...flags: [flags?: number]): void {
    this.registerFlags(target, pollFlagsArgument("flags", flags, POLLIN | POLLOUT))
  }

  private registerFlags(target: PollTarget, flags: unknown): void {
    checkTarget(target, this.ioLoop)
    checkFlags(flags)
    this.checkOpen()
    if (flags === 0) {
      if (this.registered.has(target)) this.unregister(target)
      return
    }
    if (!this.registered.has(target)) {
      if (isZmqSocket(target) && target.closed) throw new Error("register: the socket is closed")
      if (this.pending.size === 0) this.hub.checkAvailable(target)
    }
    if (this.pending.size > 0) this.hub.watch(target, this, loopEventsFor(flags))
    this.registered.set(target, flags)
  }

  /**
   * Stops polling `target`; a pending poll no longer reports it.
   * @throws Error when `target` is not registered (pyzmq raises KeyError).
   */
  unregister(target: PollTarget): void {
    if (!this.registered.delete(target)) throw new Error("unregister: the target is not registered")
    this.reported.delete(target)
    if (this.pending.size > 0) this.hub.unwatch(target, this)
  }

  /**
   * Resolves to the registered targets that are ready, with their zmq events (`[target, events][]`, in
   * registration order; `new Map(await poller.poll())` gives pyzmq's `dict(poller.poll())`), as soon as one
   * is, or to `[]` when `timeout` ms pass first and none is ready then: as `zmq_poll` does, every target is
   * asked once more when the timeout fires (`ZMQ_EVENTS`, or a zero-timeout `poll(2)` of a plain fd).
   * `timeout` `undefined`, `null` or -1 waits for as long as it takes; 0 checks now. It settles from the loop: a poll made while the loop is not running stays pending
   * until it runs (its timeout counts on the loop's clock from this call), and one still pending when the loop
   * closes never settles.
   * @throws TypeError / RangeError for a bad `timeout`; Error when a registered socket has meanwhile been
   * given to a ZMQStream (or `addHandler`), or the loop is closed.
   */
  poll(timeout?: number | null): Promise<PollEvents> {
    const delay = checkTimeout(timeout)
    this.checkOpen()
    let resolve!: (events: PollEvents) => void
    const promise = new Promise<PollEvents>((settle) => (resolve = settle))
    const waiting = new PendingPoll(resolve)
    if (delay !== undefined) {
      // The Poller's own timeouts run in no stack context: nothing of the caller's runs in them.
      waiting.timeout = nullContext.run(() => this.ioLoop.callLater(delay, this.expire, waiting))
    }
    if (this.pending.size === 0) {
      try {
        this.watchAll()
      } catch (error) {
        if (waiting.timeout !== null) this.ioLoop.removeTimeout(waiting.timeout)
        throw error
      }
    }
    this.pending.add(waiting)
    return promise
  }

  // The Poller is the hub's PollSubscriber through this method, structurally: an `implements` clause would
  // put the internal interface into the public documentation.
  /**
   * Called by the loop's handler (through the hub) during an iteration: collects, and settles the pending
   * polls once the iteration is over, so that every target found ready in it is reported together.
   * @internal
   */
  targetReady(target: PollTarget, events: number): void {
    if (this.pending.size === 0 || !this.registered.has(target)) return // a report that came too late
    this.reported.set(target, (this.reported.get(target) ?? 0) | zmqEventsFrom(events))
    this.queueSettle()
  }

  private readonly expire = (waiting: PendingPoll): void => {
    waiting.timeout = null
    waiting.expired = true
    // As zmq_poll does, ask every target before settling on the timeout: the loop's pollers report in
    // Node's poll phase, after the timers phase that runs this, so a target that became ready while the
    // thread was busy would be missed. This iteration's handlers phase reports what the checks find.
    for (const target of this.registered.keys()) this.services.checkNow(target)
    this.queueSettle()
  }

  private queueSettle(): void {
    if (this.settleQueued) return
    this.settleQueued = true
    // The loop's iteration is synchronous: a microtask queued in it runs right after it.
    queueMicrotask(this.settle)
  }

  private readonly settle = (): void => {
    this.settleQueued = false
    const ready = this.takeReported()
    for (const waiting of this.pending) {
      if (ready.length === 0 && !waiting.expired) continue
      this.pending.delete(waiting)
      if (waiting.timeout !== null) this.ioLoop.removeTimeout(waiting.timeout)
      waiting.resolve(ready.map(([target, events]) => [target, events]))
    }
    if (this.pending.size === 0) this.unwatchAll()
  }

  private takeReported(): PollEvents {
    const ready: PollEvents = []
    for (const [target, flags] of this.registered) {
      const events = (this.reported.get(target) ?? 0) & (flags | POLLERR)
      if (events !== 0) ready.push([target, events])
    }
    this.reported.clear()
    return ready
  }

  private watchAll(): void {
    const watched: PollTarget[] = []
    try {
      for (const [target, flags] of this.registered) {
        this.hub.watch(target, this, loopEventsFor(flags))
        watched.push(target)
      }
    } catch (error) {
      for (const target of watched) this.hub.unwatch(target, this)
      throw error
    }
  }

  private unwatchAll(): void {
    for (const target of this.registered.keys()) this.hub.unwatch(target, this)
  }

  private checkOpen(): void {
    if (this.services.closed) throw new Error("IOLoop is closed")
  }
}

function checkTarget(target: unknown, loop: IOLoop): asserts target is PollTarget {
  if (isZmqSocket(target)) return
  if (typeof target !== "number" || !Number.isInteger(target) || target < 0) {
    throw new TypeError(
      `target must be a zeromq.js socket or a file descriptor, got ${describeValue(target)}`,
    )
  }
  if (loop.pollerKind !== "fd" && reportedAtOnce(target) === undefined) {
    throw new TypeError(
      `target: a plain file descriptor needs the IOLoop's fd poller (this loop uses "${loop.pollerKind}"), got ${target}`,
    )
  }
}

function checkFlags(flags: unknown): asserts flags is number {
  if (typeof flags !== "number" || !Number.isInteger(flags)) {
    throw new TypeError(
      `flags must be an integer of POLLIN | POLLOUT | POLLERR bits, got ${describeValue(flags)}`,
    )
  }
  if (flags < 0 || (flags & ~ALL_FLAGS) !== 0) {
    throw new RangeError(`flags must only hold POLLIN | POLLOUT | POLLERR bits (1 | 2 | 4), got ${flags}`)
  }
}

/** The delay in ms, or `undefined` to wait for as long as it takes. */
function checkTimeout(timeout: unknown): number | undefined {
  if (timeout === undefined || timeout === null || timeout === -1) return undefined
  if (typeof timeout !== "number" || !Number.isFinite(timeout)) {
    throw new TypeError(
      `timeout must be a finite number of ms (or -1, null or undefined to wait), got ${describeValue(timeout)}`,
    )
  }
  if (timeout < 0) throw new RangeError(`timeout must be >= 0 ms, or -1 to wait, got ${timeout}`)
  return timeout
}
