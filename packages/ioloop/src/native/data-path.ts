/**
 * {@link NativeDataPath}: one zeromq.js socket read and written through the addon (`native/data_path.c`)
 * instead of zeromq.js's `receive()`/`send()`, and {@link attachDataPath}, which makes one or says why not.
 * @module
 */
import { markAsUntransferable } from "node:worker_threads"
import type { Socket } from "zeromq"
import { ZMQ_FD, ZMQ_TYPE } from "../constants.js"
import type { ZmqSocketAccess } from "../handlers/handler-entry.js"
import type { SocketReader } from "../handlers/socket-reader.js"
import { mayReceiveAhead } from "../handlers/receive-ahead.js"
import {
  META_HEADER,
  META_MESSAGES,
  META_OFFSET,
  META_OWN_FRAME,
  META_STATUS,
  RECEIVE_DRAINED,
  RECEIVE_META_FULL,
  REFUSAL_BLOCKED,
  nextFrameOffset,
  type DataPathAddon,
  type DataPathHandle,
  type NativeMessagePart,
} from "./addon.js"
import { nativeDataPathSupport, type DataPathRefusal } from "./availability.js"
import { collectYoungGenerationIfDue, noteExternalFrameBytes } from "../young-ballast.js"

/**
 * Bytes per slab, the ArrayBuffer that received small frames share, as `Buffer.allocUnsafe`'s pool does
 * (and of the same size): a frame keeps its whole slab alive, so this bounds what one small frame a program
 * keeps can hold on to.
 */
export const SLAB_BYTES = 8 * 1024

/**
 * A received frame larger than this is not copied: its Buffer is libzmq's own memory, alone in its ArrayBuffer,
 * as zeromq.js hands out its frames, so a kept large frame holds only itself. `bench/micro/zero-copy-thresholds.mjs`
 * measures the crossover: a copy into the slab costs less up to about 8 KiB, libzmq's memory less from there on
 * (bench/README.md, "Zero-copy thresholds", has the figures, and those of the garbage collector's side).
 */
export const OWN_FRAME_BYTES = SLAB_BYTES

/** Messages per native receive call: enough to make the call's cost vanish per message, few enough that
 * a batch pulled out of libzmq and then dropped (the stream closed mid-batch) is small. */
const BATCH_MESSAGES = 256
/** Bytes per native receive call (the message that crosses it is included). */
const BATCH_BYTES = 256 * 1024
/** Room for a batch of two-part messages; a batch that needs more stops early, a message that needs more grows it. */
const INITIAL_META_LENGTH = META_HEADER + 3 * BATCH_MESSAGES

/**
 * Meta arrays not in use. A path holds one only while a batch is being handed out (an idle stream then
 * costs no 3 KB array: issue 15 item 10), so the env needs about as many as streams in mid-batch at once.
 */
const spareMetas: Int32Array[] = []
/** How many spare meta arrays the env keeps (3 KB each) after a burst of streams in mid-batch at once. */
const MAX_SPARE_METAS = 16

/**
 * One zeromq.js socket on the native data path. Messages come out as arrays of Buffers: small frames are
 * views into a shared slab (see {@link SLAB_BYTES}), large ones libzmq's own memory; sends copy small parts
 * and send large ones without a copy (as zeromq.js does). Every call checks the socket first and
 * throws zeromq.js's own errors once it is closed (`EBADF`) or while a `bind()`/`unbind()` holds it
 * (`EBUSY`); libzmq's failures carry `code` and `errno` the same way.
 *
 * Like zeromq.js's own calls, each of these reads `ZMQ_EVENTS` inside libzmq, so each may consume the
 * `ZMQ_FD` edge: whoever polls the fd must re-check the socket after calling them.
 */
export class NativeDataPath implements SocketReader {
  /** The attached socket: zeromq.js's own methods keep working on it. */
  readonly socket: Socket
  readonly #addon: DataPathAddon
  readonly #handle: DataPathHandle
  /** Messages per fetch from libzmq, after the first one past EAGAIN: 1 where the socket forbids reading ahead. */
  readonly #batchMessages: number
  /** The batch's meta array while one is being handed out, else `undefined` (back in {@link spareMetas}). */
  #meta: Int32Array | undefined
  // The batch's frames in Buffers of their own, in order; emptied once all are handed out.
  readonly #ownFrames: Buffer[] = []
  #ownIndex = 0
  // The batch being handed out: its buffer, how many messages are left, where the next one starts.
  #buffer: ArrayBuffer | undefined
  #left = 0
  #metaIndex = META_HEADER
  #byteOffset = 0
  #status = RECEIVE_DRAINED

  /** @internal Use {@link attachDataPath}. */
  constructor(addon: DataPathAddon, socket: Socket, handle: DataPathHandle, socketType: number) {
    this.#addon = addon
    this.socket = socket
    this.#handle = handle
    this.#batchMessages = mayReceiveAhead(socketType) ? BATCH_MESSAGES : 1
  }

  /**
   * The next message, or `undefined` when libzmq has no message now. Frames of up to {@link OWN_FRAME_BYTES}
   * are Buffer views into a shared slab of {@link SLAB_BYTES} (`frame.buffer` is that slab, as with
   * `Buffer.allocUnsafe`: `Buffer.from(frame)` copies); a larger frame is alone in its ArrayBuffer, over
   * libzmq's own memory. Messages are fetched from libzmq in batches
   * (one at a time from a socket that forbids reading ahead: see `mayReceiveAhead`) and handed out one per
   * call, in order; a batch read from libzmq but not handed out yet is lost if the
   * socket closes.
   */
  receive(): Buffer[] | undefined {
    if (this.#left === 0 && !this.#fetch()) return undefined
    const meta = this.#meta!
    const buffer = this.#buffer!
    const parts = meta[this.#metaIndex++]
    const frames = new Array<Buffer>(parts)
    for (let i = 0; i < parts; i++) {
      const length = meta[this.#metaIndex++]
      if (length === META_OWN_FRAME) {
        frames[i] = this.#ownFrames[this.#ownIndex++]
        noteExternalFrameBytes(frames[i].length)
        if (this.#ownIndex === this.#ownFrames.length) this.#ownFrames.length = this.#ownIndex = 0
        continue
      }
      // Measured per 64 B frame: Buffer.from(arrayBuffer, offset, length) 55-70 ns, a slab Buffer's
      // subarray() about 85 ns; a plain Uint8Array view (about 25 ns) would not be a Buffer.
      frames[i] = Buffer.from(buffer, this.#byteOffset, length)
      this.#byteOffset = nextFrameOffset(this.#byteOffset, length)
    }
    if (--this.#left === 0) this.#release()
    return frames
  }

  /**
   * Whether messages may be waiting here that `ZMQ_EVENTS` does not show: part of a batch not handed out
   * yet, or a batch that stopped at its bounds rather than at EAGAIN. While this is true, waiting for the
   * socket's fd could wait forever; call {@link receive} again instead.
   */
  get buffered(): boolean {
    return this.#left > 0 || this.#status !== RECEIVE_DRAINED
  }

  /** Whether a batch taken from libzmq still has messages to hand out (`ZMQ_EVENTS` does not show them). */
  get handingOut(): boolean {
    return this.#left > 0
  }

  /**
   * Takes the next batch from libzmq unless one is in hand, handing nothing out: whether a message may be
   * waiting (`false`: libzmq had none, which proves the socket unreadable as a {@link receive} that returns
   * `undefined` does). From a socket that forbids reading ahead (`mayReceiveAhead`) it takes nothing and
   * answers `true`: its next message stays in libzmq until it is asked for, after what the callbacks of the
   * messages before it scheduled has run.
   */
  prefetch(): boolean {
    return this.#left > 0 || this.#batchMessages === 1 || this.#fetch()
  }

  /**
   * Send one message now, or report that libzmq would block (EAGAIN: no room at the high-water mark;
   * EFSM: a REQ/REP socket whose turn is to receive). Whole or not at all: every part is checked before
   * the first goes out, and libzmq takes the rest of a message whose first part it took.
   * @param message The parts (Buffers, typed arrays, ArrayBuffers or strings, sent as UTF-8), or one part.
   * @returns `true` when sent, `false` when it would block (then nothing was sent).
   * @throws TypeError naming the bad part; an Error with `code`/`errno` from libzmq or the guards.
   */
  send(message: readonly NativeMessagePart[] | NativeMessagePart): boolean {
    // A one-part message goes as its part: the addon then has no array to look into (fewer N-API calls).
    return this.#addon.send(
      this.#handle,
      Array.isArray(message) && message.length === 1 ? message[0] : message,
    )
  }

  /** `ZMQ_EVENTS` (`ZMQ_POLLIN` 1 | `ZMQ_POLLOUT` 2) read through libzmq; re-arms the `ZMQ_FD` edge. */
  events(): number {
    return this.#addon.events(this.#handle)
  }

  /** zeromq.js's `socket.closed`, read without calling zeromq.js (so the loop's reads of it call none either). */
  get closed(): boolean {
    return this.#addon.closed(this.#handle)
  }

  /** Fill the batch from libzmq; whether it holds a message. */
  #fetch(): boolean {
    // Here no frame of this path is in hand: one would outlive the collection, and later wait for a full one.
    collectYoungGenerationIfDue()
    let meta = spareMetas.pop() ?? new Int32Array(INITIAL_META_LENGTH)
    this.#meta = meta
    for (;;) {
      // Empty already, unless the previous call threw after handing out some of its own frames.
      this.#ownFrames.length = this.#ownIndex = 0
      this.#buffer = this.#addon.receiveBatch(
        this.#handle,
        meta,
        this.#ownFrames,
        // The first fetch after libzmq said EAGAIN takes one message: it is handed out (and a reply to
        // it sent) before the next fetch ends at EAGAIN, whose command processing costs system calls.
        this.#status === RECEIVE_DRAINED ? 1 : this.#batchMessages,
        BATCH_BYTES,
        SLAB_BYTES,
        OWN_FRAME_BYTES,
      )
      this.#status = meta[META_STATUS]
      if (this.#status !== RECEIVE_META_FULL) break
      this.#meta = meta = new Int32Array(meta[META_MESSAGES])
    }
    // Node's own Buffer pool is marked so too: a frame's buffer posted in a transfer list would otherwise
    // detach the slab, and with it the frames of other messages, handed out or still to come.
    if (this.#buffer !== undefined) markAsUntransferable(this.#buffer)
    this.#left = this.#buffer === undefined ? 0 : meta[META_MESSAGES]
    this.#metaIndex = META_HEADER
    this.#byteOffset = meta[META_OFFSET]
    if (this.#left > 0) return true
    this.#release()
    return false
  }

  /** The batch is handed out: give its meta array back, and let go of its slab (a frame may still hold it). */
  #release(): void {
    const meta = this.#meta!
    // A grown one is not kept: it served a message of unusually many parts.
    if (meta.length === INITIAL_META_LENGTH && spareMetas.length < MAX_SPARE_METAS) spareMetas.push(meta)
    this.#meta = undefined
    this.#buffer = undefined
  }
}

/**
 * Attach the native data path to `socket`, or say why not: the native path is off in this env (see
 * `nativeDataPathRefusal()`), the socket is not from the zeromq package this package resolves, it is
 * closed or busy with a `bind()`/`unbind()` (then the refusal says `busy: true`: try again once that
 * settles), or the addon's checks on it failed. A refusal means: use zeromq.js's own calls for this
 * socket. Synchronous; the first call runs the env's self-test (see `nativeDataPathSupport()`).
 */
export function attachDataPath(socket: Socket): NativeDataPath | DataPathRefusal {
  // ZMQ_EVENTLOOP_NATIVE=0 is read at each attach, there, so a test or a program can switch it per stream.
  const support = nativeDataPathSupport(socket)
  if ("reason" in support) return support
  if (!(socket instanceof support.zeromq.Socket))
    return { reason: "the socket is not from the zeromq package that @zmq-eventloop/ioloop resolves" }
  let fd: number
  let type: number
  try {
    const access = socket as unknown as ZmqSocketAccess
    fd = access.getInt32Option(ZMQ_FD)
    type = access.getInt32Option(ZMQ_TYPE)
  } catch (error) {
    return { reason: `zeromq.js cannot read its options: ${(error as Error).message}` }
  }
  const handle = support.addon.attach(socket, fd, type)
  if (handle === REFUSAL_BLOCKED) return { reason: handle, busy: true }
  return typeof handle === "string"
    ? { reason: handle }
    : new NativeDataPath(support.addon, socket, handle, type)
}
