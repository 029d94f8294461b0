import type { HandlerOwner, HandlerTarget } from "./handlers/handler-entry.js"
import { NONE } from "./constants.js"
import type { HandlerTable } from "./handlers/handler-table.js"
import type { LogSink } from "./logger.js"
import type { SocketReader } from "./handlers/socket-reader.js"
import type { UserCodeRunner } from "./user-code.js"

/** Told when its loop closes, before the loop lets go of its handlers (a ZMQStream closes itself then). */
export type LoopCloseListener = () => void

/**
 * What the packages built on a loop (ZMQStream, PeriodicCallback, DelayedCallback) share with it beyond
 * its public API: the user-code funnel, the log sink, and the loop's state. Kept out of `IOLoop`'s public
 * type; reached with {@link servicesOf}.
 */
export class LoopServices {
  /** Whether `close()` was called. */
  closed = false
  /** Listeners `close()` calls first; a listener removes itself with `closeListeners.delete`. */
  readonly closeListeners = new Set<LoopCloseListener>()

  constructor(
    /** The one funnel all user code runs through. */
    readonly funnel: UserCodeRunner,
    /** The loop's logger, called safely in the convention it understands. */
    readonly log: LogSink,
    private readonly handlers: HandlerTable,
  ) {}

  /**
   * While a handler runs: whether it is called again because its socket was still ready after its previous
   * call, with no new signal since (a burst). ZMQStream sizes its receive chunks by it.
   */
  get handlerStillReady(): boolean {
    return this.handlers.stillReady
  }

  /**
   * Makes the registration of `socket` (just added with `addHandler`) `owner`'s: the loop's public
   * `updateHandler`/`removeHandler` then refuse it with an Error naming the owner; the owner changes it with
   * {@link updateOwnHandler} and {@link removeOwnHandler}.
   */
  claimHandler(socket: HandlerTarget, owner: HandlerOwner): void {
    this.handlers.claim(socket, owner)
  }

  /** `updateHandler` for the owner of the registration (see {@link claimHandler}). */
  updateOwnHandler(socket: HandlerTarget, events: number): void {
    this.handlers.update(socket, events, true)
  }

  /** `removeHandler` for the owner of the registration (see {@link claimHandler}). */
  removeOwnHandler(socket: HandlerTarget): void {
    this.handlers.remove(socket, true)
  }

  /**
   * Code called libzmq on a registered socket without going through zeromq.js (the native data path):
   * like any call on it, the loop forgets what it read and checks the socket again. `provenClear` holds the
   * `READ`/`WRITE` bits that this call, the last one made on the socket, proved not to hold: `READ` after a
   * receive that hit EAGAIN. When those cover the handler's interest, the loop skips reading `ZMQ_EVENTS`
   * until the next call or signal. Claim only what the very last call proved.
   */
  noteSocketCall(socket: object, provenClear = NONE): void {
    this.handlers.noteCall(socket, provenClear)
  }

  /**
   * Says that the handler of the registered `socket` reads it through `native`, its native data path (`null`:
   * through zeromq.js again). The loop then reads the socket's `closed` and `ZMQ_EVENTS` through it too, so
   * the socket's traffic calls no zeromq.js code, and takes the handler to find out itself whether the
   * socket is readable, as cheaply as reading `ZMQ_EVENTS` would (its receive tells `noteSocketCall` what it
   * proved): while the interest is READ only, the loop dispatches READ on a signal or call without reading
   * `ZMQ_EVENTS`, and the handler must cope with READ when nothing is there.
   */
  readThrough(socket: object, native: SocketReader | null): void {
    this.handlers.readThrough(socket, native)
  }

  /**
   * The receives the handler of the registered `socket` started settle later (with their recv callbacks),
   * and reading `ZMQ_EVENTS` before then would be wrong for the socket (a SUB's read takes its next message
   * through the subscription filter as it stands). The loop then reads nothing of the socket, its re-check
   * after the handler included, until the next {@link noteSocketCall}: make it once they settled.
   */
  recheckAfterSettling(socket: object): void {
    this.handlers.holdUntilSettled(socket)
  }

  /**
   * Whether the registered `socket` takes a message now, by `ZMQ_EVENTS` (false while a `bind()`/`unbind()`
   * holds it on zeromq.js's worker thread, when nothing may read it, and for a socket not registered). What the
   * loop last read serves while no call since could have taken the room: a reply sent from a recv callback
   * costs no `ZMQ_EVENTS` read of its own.
   */
  roomToSend(socket: object): boolean {
    return this.handlers.roomToSend(socket)
  }

  /**
   * Asks a registered target now rather than at the poller's next report, which comes after Node's timers
   * phase: a Poller's timeout settles only once every target was asked (`HandlerTable.checkNow`).
   */
  checkNow(target: HandlerTarget): void {
    this.handlers.checkNow(target)
  }
}

const registry = new WeakMap<object, LoopServices>()

/** Records `services` as those of `loop` (called once, by the loop's constructor). */
export function registerServices(loop: object, services: LoopServices): void {
  registry.set(loop, services)
}

/** The services of `loop`. @throws TypeError when `loop` is not an IOLoop. */
export function servicesOf(loop: object): LoopServices {
  const services = registry.get(loop)
  if (services === undefined) throw new TypeError("not an IOLoop")
  return services
}
