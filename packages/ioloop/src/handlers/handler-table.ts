import { closeSync } from "node:fs"
import { ERROR, READ } from "../constants.js"
import { FdPoller } from "../pollers/fd-poller.js"
import { HandlerEntry, type HandlerOwner, type HandlerTarget } from "./handler-entry.js"
import { IntervalPoller } from "../pollers/interval-poller.js"
import { debug, type LogSink } from "../logger.js"
import { atFdLimit } from "../native/fd-headroom.js"
import { loadFdSet } from "../native/fd-set.js"
import { loadFdWatcher } from "../native/fd-watcher.js"
import { fallbackWarning } from "../native/loader.js"
import type { Poller, PollerKind, ReadySink } from "../pollers/poller.js"
import { noteSocketCalls, type SocketCallPhase } from "./socket-calls.js"
import { ZeromqJsReader, type SocketReader } from "./socket-reader.js"
import type { UserCodeRunner } from "../user-code.js"

/** How the handler table wakes its loop: the loop's own methods, for the two reasons below. */
export interface LoopWakeUps {
  /** The poller saw activity: run an iteration now if the loop is waiting. */
  readonly pollerWoke: () => void
  /** An entry became worth checking outside an iteration: run one soon if the loop is waiting. */
  readonly entryMarked: () => void
}

let warnedAboutFallback = false

function describeTarget(target: HandlerTarget): string {
  return typeof target === "number" ? `fd ${target}` : `${target.constructor.name} socket`
}

/**
 * The loop's registered targets: which of them may be ready, and calling their handlers (the handlers phase
 * of an iteration). Readiness of a zmq socket is `ZMQ_EVENTS`, read on every signal of its `ZMQ_FD`, and
 * read again after each handler, which keeps the socket ready for the next iteration while it still is
 * (level-triggered, like `zmq_poll`; the edge-triggered fd will not signal again for it). Neither read
 * happens when the last call on the socket already proved the interest idle (`HandlerEntry.provenIdle`).
 */
export class HandlerTable {
  readonly pollerKind: PollerKind
  private readonly poller: Poller
  private readonly entries = new Map<HandlerTarget, HandlerEntry>()
  private readonly undoSocketNotes = new Map<HandlerEntry, () => void>()
  // Entries to dispatch at the next handlers phase, and the spare set swapped in while a phase runs.
  private readyEntries = new Set<HandlerEntry>()
  private spareEntries = new Set<HandlerEntry>()
  private dispatching: HandlerEntry | null = null
  private dispatchStillReady = false

  constructor(
    private readonly wakeUps: LoopWakeUps,
    private readonly funnel: UserCodeRunner,
    private readonly log: LogSink,
    choice: "auto" | "fd" | "interval",
  ) {
    this.poller = this.createPoller(choice)
    this.pollerKind = this.poller.kind
    debug("poller: %s (asked for %s)", this.pollerKind, choice)
  }

  private createPoller(choice: "auto" | "fd" | "interval"): Poller {
    const sink: ReadySink = {
      mayBeReady: (entry) => this.onPollerReady(entry),
      woke: () => this.wakeUps.pollerWoke(),
    }
    if (choice === "interval") return new IntervalPoller(sink)
    const Watcher = loadFdWatcher()
    const fdSet = loadFdSet()
    if (!(Watcher instanceof Error) && !(fdSet instanceof Error)) {
      try {
        return new FdPoller(Watcher, fdSet, sink)
      } catch (error) {
        if (!atFdLimit(error)) throw error
        // One fd per loop: a loop made at the fd limit polls on a timer, and says so (the next one tries again).
        this.log.warn(
          "zmq-eventloop: the process is out of file descriptors (EMFILE), so this loop could not make its " +
            "epoll set: it checks its sockets on the interval poller instead (raise `ulimit -n`)",
        )
        return new IntervalPoller(sink)
      }
    }
    const missing = Watcher instanceof Error ? Watcher : (fdSet as Error)
    if (choice === "fd") throw new Error(`the fd poller is not available: ${missing.message}`)
    if (!warnedAboutFallback) {
      warnedAboutFallback = true
      this.log.warn(fallbackWarning(missing))
    }
    return new IntervalPoller(sink)
  }

  /** Whether the handlers phase has anything to look at. */
  get anyReady(): boolean {
    return this.readyEntries.size > 0
  }

  /** While a handler runs: whether it is called again because its socket stayed ready (a burst). */
  get stillReady(): boolean {
    return this.dispatchStillReady
  }

  add(target: HandlerTarget, handler: Function, original: Function, events: number, origin?: string): void {
    if (this.entries.has(target)) {
      throw new Error(
        `addHandler: target ${describeTarget(target)} is already registered (use updateHandler)`,
      )
    }
    const entry = new HandlerEntry(target, handler, original, events, origin)
    if (debug.enabled) debug("addHandler: %s, events 0x%s", describeTarget(target), events.toString(16))
    this.poller.register(entry)
    this.entries.set(target, entry)
    if (entry.socket !== null) {
      this.undoSocketNotes.set(
        entry,
        noteSocketCalls(target as object, (phase) => this.onSocketCall(entry, phase)),
      )
      this.markReady(entry)
    }
  }

  /** `updateHandler`; `byOwner`: called by the entry's owner (see {@link claim}). */
  update(target: HandlerTarget, events: number, byOwner = false): void {
    const entry = this.entries.get(target)
    if (entry === undefined)
      throw new Error(`updateHandler: target ${describeTarget(target)} is not registered`)
    if (!byOwner) this.refuseOwned("updateHandler", entry)
    const added = (events | ERROR) & ~entry.events
    entry.events = events | ERROR
    this.poller.modify(entry)
    // Narrowing the interest cannot make anything ready; a ZMQ_EVENTS value already read stays valid (it
    // does not depend on the interest), so a stream that queues a send costs no getsockopt here.
    if (added !== 0 && entry.socket !== null) this.markReady(entry)
  }

  /** `removeHandler`; `byOwner`: called by the entry's owner (see {@link claim}). */
  remove(target: HandlerTarget, byOwner = false): void {
    const entry = this.entries.get(target)
    if (entry === undefined) return
    if (!byOwner) this.refuseOwned("removeHandler", entry)
    this.removeEntry(entry)
  }

  /** Marks the registration of `target` as `owner`'s: the public update and remove refuse it from now on. */
  claim(target: HandlerTarget, owner: HandlerOwner): void {
    this.entries.get(target)!.owner = owner
  }

  private refuseOwned(method: string, entry: HandlerEntry): void {
    if (entry.owner === null) return
    throw new Error(
      `${method}: ${describeTarget(entry.target)} belongs to a ${entry.owner.name} on this loop, which keeps ` +
        `its registration: ${entry.owner.release}`,
    )
  }

  /**
   * Asks `target` now instead of waiting for the poller's next report, so that a target ready now is
   * dispatched at the next handlers phase (this iteration's, when called from a timeout): a socket's
   * `ZMQ_EVENTS` is read again, a plain fd is polled with a zero timeout. A no-op for a target not registered.
   */
  checkNow(target: HandlerTarget): void {
    const entry = this.entries.get(target)
    if (entry === undefined) return
    const events = this.poller.readyNow(entry)
    if (entry.socket === null) {
      entry.fdEvents |= events & entry.events
    } else {
      entry.forget()
      entry.learnEvents(events)
    }
    if (events & entry.events) this.markReady(entry)
  }

  /** The loop starts: edges may have been consumed while it was not running, so check every socket again. */
  resume(): void {
    for (const entry of this.entries.values()) {
      if (entry.socket === null) continue
      entry.forget()
      this.markReady(entry)
    }
    this.poller.resume()
  }

  /** The loop stopped: nothing wakes it until it starts again. */
  pause(): void {
    this.poller.pause()
  }

  /** Unregisters everything, closing the sockets and fds too when `closeTargets`. */
  close(closeTargets: boolean): void {
    for (const entry of [...this.entries.values()]) {
      this.removeEntry(entry)
      if (closeTargets) closeTarget(entry.target)
    }
    this.poller.close()
  }

  /** The handlers phase: calls the handler of every entry found ready. */
  runReady(): void {
    if (this.readyEntries.size === 0) return
    const batch = this.readyEntries
    this.readyEntries = this.spareEntries
    this.spareEntries = batch
    for (const entry of batch) {
      if (entry.removed || entry.settling) continue // settling: looked at once its handler says so
      const events = this.takeEvents(entry) & entry.events
      if (events === 0) {
        entry.stillReady = false // found not ready: a burst a call left standing is over
        continue
      }
      this.dispatching = entry
      this.dispatchStillReady = entry.stillReady
      this.funnel.run(entry.handler, entry.original, [entry.target, events], entry.origin)
      this.dispatching = null
      this.dispatchStillReady = false
      if (entry.removed || entry.socket === null) continue
      if (events & ERROR && entry.reader!.closed) {
        debug("removing the handler of a closed socket")
        this.removeEntry(entry)
        continue
      }
      this.recheck(entry)
    }
    batch.clear()
  }

  private removeEntry(entry: HandlerEntry): void {
    if (debug.enabled) debug("removeHandler: %s", describeTarget(entry.target))
    entry.removed = true
    this.entries.delete(entry.target)
    this.readyEntries.delete(entry)
    this.undoSocketNotes.get(entry)?.()
    this.undoSocketNotes.delete(entry)
    this.poller.unregister(entry)
  }

  /** The events that hold for `entry` now; for a plain fd, what its watcher reported since last time. */
  private takeEvents(entry: HandlerEntry): number {
    if (entry.socket === null) {
      const events = entry.fdEvents
      entry.fdEvents = 0
      return events
    }
    if (entry.knownEvents >= 0) return entry.knownEvents
    if (entry.provenIdle()) return 0
    if (entry.assumesRead()) return READ // not known: its handler's receive finds out
    entry.learnEvents(entry.readZmqEvents())
    return entry.knownEvents
  }

  /** See `LoopServices.recheckAfterSettling`. */
  holdUntilSettled(target: object): void {
    const entry = this.entries.get(target as HandlerTarget)
    if (entry !== undefined) entry.settling = true
  }

  /** Reads a socket's events after its handler ran, keeping it ready while they still hold. */
  private recheck(entry: HandlerEntry): void {
    if (entry.settling) {
      entry.stillReady = true // a burst until the socket is read, once its handler says its receives settled
      return
    }
    if (entry.provenIdle()) {
      entry.stillReady = false
      return
    }
    const events = entry.readZmqEvents()
    entry.learnEvents(events)
    entry.stillReady = (events & entry.events) !== 0
    if (entry.stillReady) this.readyEntries.add(entry)
  }

  /** The poller saw activity on `entry` (the loop wakes once the poller reported all it found). */
  private onPollerReady(entry: HandlerEntry): void {
    if (debug.enabled) debug("wake-up: %s", describeTarget(entry.target))
    this.readyEntries.add(entry)
  }

  /**
   * Reads the registered socket `target` through `native` (its native data path) from now on, or through
   * zeromq.js again for `null`; the native reader's handler finds out itself whether the socket is readable
   * (`HandlerEntry.verifiesRead`).
   */
  readThrough(target: object, native: SocketReader | null): void {
    const entry = this.entries.get(target as HandlerTarget)
    if (entry === undefined || entry.socket === null) return
    entry.reader = native ?? new ZeromqJsReader(entry.socket)
    entry.verifiesRead = native !== null
  }

  /**
   * Whether the registered socket `target` takes a message now: no bind holds it on zeromq.js's worker
   * thread, and `ZMQ_EVENTS` says `WRITE` (as last read, while {@link HandlerEntry.roomSeen}; else read now).
   */
  roomToSend(target: object): boolean {
    const entry = this.entries.get(target as HandlerTarget)
    if (entry === undefined || entry.workerOperations > 0) return false
    if (entry.roomSeen) return true
    entry.learnEvents(entry.readZmqEvents())
    // The read re-armed the edge signal: look at the socket again, as after a call on it.
    if (entry !== this.dispatching && !entry.removed) this.markReady(entry)
    return entry.roomSeen
  }

  /** Code called `target` outside zeromq.js (see `LoopServices.noteSocketCall`). */
  noteCall(target: object, provenClear: number): void {
    const entry = this.entries.get(target as HandlerTarget)
    if (entry === undefined) return
    entry.settling = false
    this.onSocketCall(entry)
    entry.provenClear = provenClear
  }

  /** User code called a registered socket: its edge signal may be gone, so check it at the next handlers phase. */
  private onSocketCall(entry: HandlerEntry, phase: SocketCallPhase = "call"): void {
    if (phase === "busy") entry.workerOperations++
    else if (phase === "settled") entry.workerOperations = Math.max(0, entry.workerOperations - 1)
    entry.forgetEvents()
    if (phase !== "read") entry.roomSeen = false
    if (entry === this.dispatching || entry.removed) return // re-checked right after its handler
    this.markReady(entry)
  }

  private markReady(entry: HandlerEntry): void {
    this.readyEntries.add(entry)
    this.wakeUps.entryMarked()
  }
}

function closeTarget(target: HandlerTarget): void {
  try {
    if (typeof target === "number") closeSync(target)
    else target.close()
  } catch (error) {
    debug("error closing %s: %s", describeTarget(target), error)
  }
}
