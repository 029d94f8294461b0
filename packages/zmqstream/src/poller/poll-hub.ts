import { ERROR, IOLoop, NONE, READ, WRITE, type HandlerTarget } from "@zmq-eventloop/ioloop"
import {
  isZmqSocket,
  UnwatchableFdError,
  type HandlerOwner,
  type LoopServices,
} from "@zmq-eventloop/ioloop/internal"
import { NullContext } from "@zmq-eventloop/stack-context"
import { reportedAtOnce } from "./always-ready.js"

/** What the hub calls when a watched target is ready: a {@link Poller} with polls pending. */
export interface PollSubscriber {
  /** `target` has `events` now (loop bits `READ | WRITE | ERROR`, within what the subscriber watches). */
  targetReady(target: HandlerTarget, events: number): void
}

/** One target's loop handler: who watches it, and for which events. */
class TargetWatch {
  readonly subscribers = new Map<PollSubscriber, number>()
  /** The events registered with the loop: the union of the subscribers' interests. */
  events = NONE
}

const hubs = new WeakMap<IOLoop, PollHub>()
/**
 * The hub's registrations, refused to the loop's public updateHandler/removeHandler: a `removeHandler` of a
 * polled socket left its pending poll blind (it timed out empty with a message waiting).
 */
const POLLER_OWNER: HandlerOwner = {
  name: "Poller",
  release: "it lets go once no poll is pending on it",
}
const nullContext = new NullContext()

function describeTarget(target: HandlerTarget): string {
  return typeof target === "number" ? `fd ${target}` : `the ${target.constructor.name} socket`
}

function isClosedSocket(target: HandlerTarget): boolean {
  return isZmqSocket(target) && target.closed
}

/**
 * The loop handlers of the Pollers on one loop. `IOLoop.addHandler` takes one handler per target, while
 * pyzmq lets any number of pollers poll a socket (`zmq_poll` keeps no state): so the hub registers one
 * handler per target while at least one Poller has a poll pending on it, and hands each call to those
 * Pollers, each within its own interest. Nothing is registered while no poll is pending.
 */
export class PollHub {
  private readonly watches = new Map<HandlerTarget, TargetWatch>()

  private constructor(
    private readonly loop: IOLoop,
    private readonly services: LoopServices,
  ) {}

  /** The hub of `loop` (whose services are `services`), created on first use and dropped when it closes. */
  static of(loop: IOLoop, services: LoopServices): PollHub {
    let hub = hubs.get(loop)
    if (hub === undefined) {
      hub = new PollHub(loop, services)
      hubs.set(loop, hub)
      // The loop lets go of every handler as it closes (polls pending then never settle: nothing runs).
      const closing = hub
      services.closeListeners.add(() => {
        hubs.delete(loop)
        closing.watches.clear()
      })
    }
    return hub
  }

  /**
   * Throws now what `watch()` would throw later: the target is registered with the loop by someone else
   * (a ZMQStream, an `addHandler` of the program), or the loop refuses it.
   */
  checkAvailable(target: HandlerTarget): void {
    if (this.watches.has(target)) return // the hub's own handler: another Poller is polling it
    if (reportedAtOnce(target) !== undefined) return // watch() reports it from the loop
    if (this.addHandler(target, NONE)) this.services.removeOwnHandler(target)
  }

  /** Starts (or changes) `subscriber`'s watch of `target` for `events` (loop bits). */
  watch(target: HandlerTarget, subscriber: PollSubscriber, events: number): void {
    // The loop takes no handler for a closed socket or fd, nor for a file: report them from the loop.
    const atOnce = isClosedSocket(target) ? "closed" : reportedAtOnce(target)
    if (atOnce !== undefined) {
      return this.reportSoon(target, subscriber, atOnce === "closed" ? ERROR : events & (READ | WRITE))
    }
    const watch = this.watches.get(target)
    if (watch === undefined) {
      if (!this.addHandler(target, events))
        return this.reportSoon(target, subscriber, events & (READ | WRITE))
      const created = new TargetWatch()
      created.subscribers.set(subscriber, events)
      created.events = events
      this.watches.set(target, created)
      return
    }
    watch.subscribers.set(subscriber, events)
    this.updateEvents(target, watch)
  }

  /** Reports `events` of a target the loop does not watch, from the loop. */
  private reportSoon(target: HandlerTarget, subscriber: PollSubscriber, events: number): void {
    this.loop.spawnCallback(() => subscriber.targetReady(target, events))
  }

  /** Ends `subscriber`'s watch of `target`; the loop handler goes with the last one. */
  unwatch(target: HandlerTarget, subscriber: PollSubscriber): void {
    const watch = this.watches.get(target)
    if (watch === undefined || !watch.subscribers.delete(subscriber)) return
    if (watch.subscribers.size > 0) return this.updateEvents(target, watch)
    this.watches.delete(target)
    this.services.removeOwnHandler(target)
  }

  /** Registers the hub's handler for `target`: `false` for an fd epoll refuses, which poll(2) says is ready. */
  private addHandler(target: HandlerTarget, events: number): boolean {
    try {
      // Like ZMQStream's handler, the hub's must not capture the stack contexts of whoever polled first.
      nullContext.run(() => this.loop.addHandler(target, this.handleEvents, events))
    } catch (error) {
      if (error instanceof UnwatchableFdError) return false // poll(2) would say: ready
      // IOLoop.addHandler's refusal of a second handler (its wording is pinned by test/poller.ts).
      if (error instanceof Error && /already registered/.test(error.message)) {
        throw new Error(
          `${describeTarget(target)} is already registered with the IOLoop (by a ZMQStream or addHandler): ` +
            "the loop takes one handler per socket or fd, so a Poller cannot poll it",
          { cause: error },
        )
      }
      throw error
    }
    this.services.claimHandler(target, POLLER_OWNER)
    return true
  }

  private updateEvents(target: HandlerTarget, watch: TargetWatch): void {
    let events = NONE
    for (const interest of watch.subscribers.values()) events |= interest
    if (events === watch.events) return
    watch.events = events
    this.services.updateOwnHandler(target, events)
  }

  private readonly handleEvents = (target: HandlerTarget, events: number): void => {
    const watch = this.watches.get(target)
    if (watch === undefined) return
    for (const [subscriber, interest] of watch.subscribers) {
      const relevant = events & (interest | ERROR)
      if (relevant !== 0) subscriber.targetReady(target, relevant)
    }
    // The loop drops the handler of a closed socket once it has reported its ERROR (IOLoop.addHandler).
    if (events & ERROR && isClosedSocket(target)) this.watches.delete(target)
  }
}
