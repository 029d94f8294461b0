/**
 * The native data path's functions (`native/data_path.c`): their shape, declared here, and the one
 * place that loads them. They move messages between libzmq and JavaScript on a zeromq.js socket
 * without zeromq.js's per-frame Buffer and promise; every decision (batch bounds, slab size, when
 * to fall back) belongs to {@link NativeDataPath}, which is what the rest of the code uses.
 *
 * The functions live in the same addon as the fd watcher (`native/build.mjs` compiles every
 * `native/*.c` into it), exported as its `dataPath` object on Linux x64 and arm64 with glibc: the
 * platforms where zeromq.js's prebuilds export libzmq and the data path was tested. Elsewhere the
 * addon loads without it.
 * @module
 */
import { loadAddon } from "./loader.js"

/** An attached socket, as `attach()` returns it: opaque, only ever passed back to the addon. */
export interface DataPathHandle {
  readonly __dataPathHandle: never
}

/** A message part the native send takes: bytes (any typed array's view, or an ArrayBuffer) or a string (sent as UTF-8). */
export type NativeMessagePart = ArrayBufferView | ArrayBuffer | string

/** Index of `receiveBatch`'s status in the meta array: one of the `RECEIVE_*` values. */
export const META_STATUS = 0
/** Index of the number of messages the batch holds (or, for {@link RECEIVE_META_FULL}, the meta length needed). */
export const META_MESSAGES = 1
/** Index of the byte offset of the batch's first frame in the returned ArrayBuffer. */
export const META_OFFSET = 2
/** Where the messages start in the meta array: per message, its part count, then each part's length. */
export const META_HEADER = 3

/** A part length in the meta array meaning: this frame is the next ArrayBuffer of `ownFrames`, all of it. */
export const META_OWN_FRAME = -1

/**
 * Where the copied frame after one at `offset` of `length` bytes starts in a `receiveBatch` buffer: at a multiple
 * of 8, as Node aligns its own pooled Buffers (the addon's `FRAME_ALIGN`), so that a typed array of 8-byte
 * elements can view any received frame (`new Float64Array(frame.buffer, frame.byteOffset, n)`), as it can a
 * zeromq.js frame, alone in its ArrayBuffer.
 */
export function nextFrameOffset(offset: number, length: number): number {
  return (offset + length + 7) & ~7
}

/** The batch stopped because libzmq had no more messages (EAGAIN, or EFSM: a REQ/REP socket whose turn is to send). */
export const RECEIVE_DRAINED = 0
/** A bound stopped the batch (messages, bytes, a full slab, a message too large to share a batch): call again. */
export const RECEIVE_MORE = 1
/** The next message has more parts than the meta array holds: nothing was returned, grow it and call again. */
export const RECEIVE_META_FULL = 2

/** What `attach()` returns for a socket that zeromq.js is binding or unbinding on a worker thread: the one refusal that passes once that settles. */
export const REFUSAL_BLOCKED = "the socket is blocked by a bind or unbind operation"

/**
 * The addon's `dataPath` object. Every function but `learnLayout` and `attach` first checks its handle's socket and
 * throws zeromq.js's own errors (`code`, `errno`, the same messages) when it cannot be used now:
 * `EBADF` ("Socket is closed") once it is closed or garbage collected, `EBUSY` ("Socket is blocked
 * by a bind or unbind operation") while zeromq.js runs a `bind()`/`unbind()` on a worker thread.
 * Other failures from libzmq are Errors of the same shape. Bad arguments are TypeErrors or
 * RangeErrors naming the argument.
 */
export interface DataPathAddon {
  /**
   * Learn where zeromq.js's `zmq::Socket` keeps its libzmq socket pointer and its state byte, on
   * an open probe socket that this call closes: the pointer is the one field through which libzmq
   * reports the probe's `ZMQ_TYPE` and `ZMQ_FD`, the state byte the one that goes from open (0) to
   * closed (1) during `probe.close()` in every probe so far (the bytes searched reach past the
   * object, where a neighbour may change too: call it with several probes). Until it succeeded for
   * a zeromq.js image, `attach` refuses every socket of that image.
   * @param probe An open zeromq.js socket used for nothing else; closed on return.
   * @param fd Its `ZMQ_FD`, as zeromq.js reports it.
   * @param type Its `ZMQ_TYPE`, as zeromq.js reports it.
   * @returns `null`, or why the layout was not found.
   */
  learnLayout(probe: object, fd: number, type: number): string | null
  /**
   * Record for the whole process the layouts this env learned, once its self-test passed: every other env
   * (worker thread) of the process may then adopt them instead of running a self-test of its own.
   */
  shareLayout(): void
  /**
   * Take the layout of `socket`'s zeromq.js image from another env of this process that proved it
   * ({@link shareLayout}): `null` when this env has the layout now, else why not (no env proved it, or
   * not a zeromq.js socket). `attach` still checks each socket through libzmq.
   */
  adoptLayout(socket: object): string | null
  /**
   * Attach to a zeromq.js socket: a handle, or the reason it was refused (not a zeromq.js socket
   * of the image its vtable points into, layout not learned, closed, blocked by a bind or unbind
   * ({@link REFUSAL_BLOCKED}), or libzmq through the socket pointer disagreeing with zeromq.js
   * about `ZMQ_FD` or `ZMQ_TYPE`).
   *
   * The handle holds the socket weakly: it does not keep the socket alive.
   * @param socket The zeromq.js socket.
   * @param fd Its `ZMQ_FD`, as zeromq.js reports it (`getInt32Option(14)`).
   * @param type Its `ZMQ_TYPE`, as zeromq.js reports it (`getInt32Option(16)`).
   */
  attach(socket: object, fd: number, type: number): DataPathHandle | string
  /**
   * Receive whole messages with `ZMQ_DONTWAIT` until libzmq has none, `maxMessages` are in, at
   * least `maxBytes` are in, or the next does not fit the slab. Frames of up to `ownBytes` are
   * copied one after another into the env's current slab, an ArrayBuffer of `slabBytes` shared with
   * earlier batches (a new one when the current one lacks room); a message whose copied frames
   * are more than `slabBytes` comes alone, in an ArrayBuffer of its own. A larger frame is handed
   * out in a Buffer of its own over libzmq's own memory (freed when the Buffer is collected; a
   * copy where external buffers are not allowed), appended to `ownFrames`; V8 counts its bytes as
   * external memory (see young-ballast.ts for how they reach minor collections). A message that did
   * not fit stays in the handle and opens the next batch.
   *
   * `meta` receives the status at {@link META_STATUS}, the message count at {@link META_MESSAGES},
   * the first frame's offset at {@link META_OFFSET}, then from {@link META_HEADER} on, per message,
   * its part count followed by each part's length, or {@link META_OWN_FRAME} for a frame that is
   * the next Buffer of `ownFrames`; each slab frame starts where {@link nextFrameOffset} puts it.
   * @returns The slab (or own buffer) holding the batch's copied frames, or `undefined` when the
   *   batch holds no message.
   * @throws An Error with `code`/`errno` when the first receive fails with anything but EAGAIN/EFSM
   *   (a failure after some messages ends the batch; the next call meets it again).
   */
  receiveBatch(
    handle: DataPathHandle,
    meta: Int32Array,
    ownFrames: Buffer[],
    maxMessages: number,
    maxBytes: number,
    slabBytes: number,
    ownBytes: number,
  ): ArrayBuffer | undefined
  /**
   * Send one message with `ZMQ_DONTWAIT` (and `ZMQ_SNDMORE` on all but the last part). Parts under
   * 32 KiB are copied; on the main thread larger bytes go without a copy, like zeromq.js's own send:
   * libzmq reads the caller's memory until it has sent it, so it must not be changed after the call (a
   * worker thread's parts are all copied: its memory goes with it, the message may not). Every part is
   * checked before the first goes out, and libzmq accepts the rest of a message whose first part it
   * took, so a message goes out whole or not at all.
   * @param message The parts, or a single part for a one-part message.
   * @returns `true` when sent, `false` when libzmq would block (EAGAIN: no room; EFSM: a REQ/REP
   *   socket whose turn is to receive).
   */
  send(handle: DataPathHandle, message: readonly NativeMessagePart[] | NativeMessagePart): boolean
  /** `ZMQ_EVENTS` read through libzmq (`ZMQ_POLLIN` 1, `ZMQ_POLLOUT` 2); like any read of it, re-arms `ZMQ_FD`. */
  events(handle: DataPathHandle): number
  /**
   * zeromq.js's `socket.closed`, read from the state byte (or `true` once the socket was garbage collected)
   * without calling zeromq.js: never throws for a handle from {@link attach}.
   */
  closed(handle: DataPathHandle): boolean
}

/**
 * The addon's data path functions, or the Error saying why there are none (no addon loaded, see
 * `loadAddon()`, or one built for a platform the data path does not support).
 */
export function loadDataPathAddon(): DataPathAddon | Error {
  const addon = loadAddon()
  if (addon instanceof Error) return addon
  return (
    (addon.exports.dataPath as DataPathAddon | undefined) ??
    new Error(
      `${addon.path} has no native data path on ${process.platform}-${process.arch} (only Linux x64 and arm64 with glibc are verified)`,
    )
  )
}
