import type { Socket } from "zeromq"
import { IOLoop } from "@zmq-eventloop/ioloop"
import {
  bindMethods,
  checkOptionsObject,
  describeValue,
  isZmqSocket,
  retryInterrupted,
  servicesOf,
} from "@zmq-eventloop/ioloop/internal"
import {
  POLLERR,
  POLLIN,
  POLLOUT,
  ONE_PART_TYPES,
  RECEIVE_ONLY_TYPES,
  SEND_ONLY_TYPES,
  ZMQ_RCVTIMEO,
  ZMQ_SNDTIMEO,
  ZMQ_TYPE,
} from "./constants.js"
import { pollFlagsArgument } from "./flag-arguments.js"
import type { Frame } from "./receive/frame.js"
import {
  byteLength,
  checkPart,
  checkParts,
  copyParts,
  splitSendOptions,
  type Part,
  type SendablePart,
  type SendOptions,
} from "./send/parts.js"
import {
  applySendQueueLimit,
  type SendQueueLimit,
  type SendQueueLimitOptions,
  UNBOUNDED,
} from "./send/send-queue-limit.js"
import { dumpJson } from "./serialization/json.js"
import { encodeText } from "./serialization/text.js"
import { dumpPyobj, type PickleProtocol } from "./serialization/pickle.js"
import type { ReceivingThis } from "./socket-capabilities.js"
import { StreamCallbacks } from "./stream-callbacks.js"
import type { DataPath } from "./data-path/data-path.js"
import { StreamEngine } from "./stream-engine.js"
import {
  bindToRandomPort,
  checkLinkedArguments,
  getSocketOption,
  LINKED_METHODS,
  setSocketOption,
  type LinkedSocketMethods,
  type SocketOptionArgument,
  type SocketOptionInput,
  type SocketOptionName,
  type SocketOptionValue,
} from "./socket-links.js"

/** The constructor's options, for what pyzmq's `ZMQStream(socket, io_loop)` cannot say. */
export interface ZMQStreamOptions {
  /** The loop (default: `IOLoop.current()`). */
  ioLoop?: IOLoop
  /** A bound on the send queue (default: none, as in pyzmq); see `setSendQueueLimit`. */
  sendQueueLimit?: SendQueueLimitOptions
}

/** Options of `onRecv` / `onRecvStream`. */
export interface RecvOptions {
  /** `true` (default): each message is a `Buffer[]`; `false`: a `Frame[]` (pyzmq `copy=False`). */
  copy?: boolean
}

type RawSocket = Socket & {
  setInt32Option(id: number, value: number): void
  getInt32Option(id: number): number
}

// The interface merges the linked socket methods (installed from LINKED_METHODS below) into the class type.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ZMQStream<S extends Socket = Socket> extends LinkedSocketMethods<S> {}

/**
 * A zeromq.js socket driven by an {@link IOLoop} through callbacks: pyzmq's
 * `zmq.eventloop.zmqstream.ZMQStream`, with modern pyzmq's choices (a callback error is logged and the stream
 * stays open; `close(linger)` closes at once; `closed()` notices a socket closed elsewhere).
 *
 * - Receiving: `onRecv(cb)` calls `cb(msg)` with each whole message (`Buffer[]`, or `Frame[]` with
 *   `copy: false`), in order, from the loop.
 * - Sending: `send*()` checks the message (throwing there) and queues it; the stream hands queued messages to
 *   libzmq in order, exactly once, whenever the socket is writable, then calls `onSend`'s callback with
 *   `(msg, status)`. On the native data path a message sent while the queue is empty, with no `onSend` or
 *   per-send callback waiting, goes to libzmq at once, inside the `send*()` call (README "Data paths"); an
 *   `onSend` registered later in the same job still hears of it, as on the zeromq.js path.
 * - Where the socket's class is known, what it cannot do does not compile: `onRecv` on a
 *   `ZMQStream<zmq.Publisher>`, `subscribe` on anything but a `ZMQStream<zmq.Subscriber>`, a misspelt
 *   `setsockopt` name. The same calls throw a TypeError at run time (JavaScript, or a plain `ZMQStream`).
 * - The stream owns its socket: it sets `receiveTimeout` and `sendTimeout` to 0 (its fast paths rely on that,
 *   and `setsockopt` refuses to change them) and registers it with the loop. Close it with `stream.close()`.
 * - Every callback runs inside the stack contexts active where it was registered, through the loop's one
 *   user-code funnel: what it throws (or a promise it returns rejects with) goes to
 *   `ioLoop.handleCallbackException` (logged as pyzmq does, `Uncaught exception in ZMQStream callback
 *   <name>`), and the blocking log (`setBlockingLogThreshold`) sees it. The stream stays open.
 * - The stream closes with its loop: `loop.close()` closes it as `stream.close()` would.
 * - Its methods work detached (`loop.addCallback(stream.close)`).
 * - Streams accept properties of your own (`stream.channel = "shell"`, as Jupyter does).
 *
 * @example
 * ```ts
 * const stream = new ZMQStream(new zmq.Reply(), loop)
 * await stream.bind("tcp://127.0.0.1:5555")
 * stream.onRecv((msg) => stream.sendMultipart(msg)) // echo
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class ZMQStream<S extends Socket = Socket> {
  /** The socket this stream drives, with its class (pyzmq `stream.socket`). */
  readonly socket: S
  /** The loop this stream runs on (pyzmq `stream.io_loop`). */
  readonly ioLoop: IOLoop;
  /** Properties of your own, such as Jupyter's `stream.channel`. */
  [property: string]: unknown

  private readonly callbacks: StreamCallbacks
  private readonly engine: StreamEngine
  private readonly canReceive: boolean
  private readonly canSend: boolean
  /** A thread-safe draft socket (SERVER, RADIO…): libzmq refuses a message of more than one part. */
  private readonly sendsOnePart: boolean
  private readonly socketType: number

  /**
   * Registers `socket` with the loop (default: `IOLoop.current()`) and sets its `receiveTimeout` and
   * `sendTimeout` to 0. The second argument is the loop, or {@link ZMQStreamOptions} (the loop and a send
   * queue limit). (pyzmq `ZMQStream(socket, io_loop=None)`)
   * @throws TypeError when `socket` is not a zeromq.js socket or the loop not a loop, TypeError/RangeError for
   * a bad option; Error when the socket is closed, already registered with the loop, or the loop is closed.
   */
  constructor(socket: S, ioLoopOrOptions?: IOLoop | ZMQStreamOptions) {
    if (!isZmqSocket(socket))
      throw new TypeError(`socket must be a zeromq.js socket, got ${describeValue(socket)}`)
    if (socket.closed) throw new Error("socket is closed")
    const { ioLoop, sendQueueLimit } = streamOptions(ioLoopOrOptions)
    bindMethods(this)
    this.socket = socket
    this.ioLoop = ioLoop ?? IOLoop.current()
    const services = servicesOf(this.ioLoop)
    if (services.closed) throw new Error("IOLoop is closed")
    this.socketType = (socket as unknown as RawSocket).getInt32Option(ZMQ_TYPE)
    this.canReceive = !SEND_ONLY_TYPES.has(this.socketType)
    this.canSend = !RECEIVE_ONLY_TYPES.has(this.socketType)
    this.sendsOnePart = ONE_PART_TYPES.has(this.socketType)
    this.callbacks = new StreamCallbacks(this, services.funnel, services.log)
    this.engine = new StreamEngine(socket, this.ioLoop, services, this.callbacks) // registers, or throws
    this.engine.sendQueueLimit = sendQueueLimit
    // The fast paths: receive()/send() settle synchronously, EAGAIN rejecting (DESIGN.md "Fast paths").
    // Set once registered, so a refused stream leaves the socket as it was.
    ;(socket as unknown as RawSocket).setInt32Option(ZMQ_RCVTIMEO, 0)
    ;(socket as unknown as RawSocket).setInt32Option(ZMQ_SNDTIMEO, 0)
  }

  // ---- callbacks -------------------------------------------------------------------------------------------

  /**
   * Calls `callback(msg)` with every message received from now on (`null` stops, like `stopOnRecv()`);
   * messages kept since a `stopOnRecv()` come first, in order. `copy: false` gives `Frame[]` instead of
   * `Buffer[]` (pyzmq `on_recv(callback, copy=True)`). Replaces any previous recv callback. Does not compile
   * on a stream whose socket's class cannot receive (`ZMQStream<zmq.Publisher>`, see {@link ReceivingThis}).
   * @throws TypeError for a non-function or a socket that cannot receive; Error("Stream is closed").
   */
  onRecv<T extends S>(
    this: ReceivingThis<T> & (ZMQStream<T> | void),
    callback: ((msg: Buffer[]) => unknown) | null,
    options?: { copy?: true },
  ): void
  onRecv<T extends S>(
    this: ReceivingThis<T> & (ZMQStream<T> | void),
    callback: ((msg: Frame[]) => unknown) | null,
    options: { copy: false },
  ): void
  onRecv<T extends S>(
    this: ReceivingThis<T> & (ZMQStream<T> | void),
    callback: ((msg: Buffer[] | Frame[]) => unknown) | null,
    options?: RecvOptions,
  ): void
  onRecv(callback: Function | null, options: RecvOptions = {}): void {
    this.setRecv(callback, options, false)
  }

  /**
   * Like `onRecv`, but calls `callback(stream, msg)`. (pyzmq `on_recv_stream`)
   * @throws as `onRecv`.
   */
  onRecvStream<T extends S>(
    this: ReceivingThis<T> & (ZMQStream<T> | void),
    callback: ((stream: ZMQStream<S>, msg: Buffer[]) => unknown) | null,
    options?: { copy?: true },
  ): void
  onRecvStream<T extends S>(
    this: ReceivingThis<T> & (ZMQStream<T> | void),
    callback: ((stream: ZMQStream<S>, msg: Frame[]) => unknown) | null,
    options: { copy: false },
  ): void
  onRecvStream<T extends S>(
    this: ReceivingThis<T> & (ZMQStream<T> | void),
    callback: ((stream: ZMQStream<S>, msg: Buffer[] | Frame[]) => unknown) | null,
    options?: RecvOptions,
  ): void
  onRecvStream(callback: Function | null, options: RecvOptions = {}): void {
    this.setRecv(callback, options, true)
  }

  private setRecv(callback: unknown, options: RecvOptions, withStream: boolean): void {
    this.checkOpen()
    const captured = this.callbacks.capture(callback)
    checkOptionsObject("options", options, "a recv option", ["copy"])
    const { copy = true } = options
    if (typeof copy !== "boolean")
      throw new TypeError(`options.copy must be a boolean, got ${describeValue(copy)}`)
    if (captured !== null && !this.canReceive) {
      throw new TypeError(`callback: a ${this.socket.constructor.name} socket cannot receive`)
    }
    this.callbacks.recv = captured
    this.callbacks.recvWithStream = withStream
    this.callbacks.recvCopy = copy
    this.engine.updateInterest()
    // Messages kept since a stopOnRecv() go first; the socket may have nothing more to wake the loop.
    this.engine.scheduleHeld()
  }

  /**
   * Calls `callback(msg, status)` after each message is handed to libzmq: `msg` the parts as queued,
   * `status` `undefined` or the Error the send produced. `null` stops. (pyzmq `on_send`)
   * @throws TypeError for a non-function; Error("Stream is closed").
   */
  onSend(callback: ((msg: Part[], status: Error | undefined) => unknown) | null): void {
    this.checkOpen()
    this.callbacks.send = this.callbacks.capture(callback)
    this.callbacks.sendWithStream = false
  }

  /** Like `onSend`, but calls `callback(stream, msg, status)`. (pyzmq `on_send_stream`) @throws as `onSend`. */
  onSendStream(
    callback: ((stream: ZMQStream<S>, msg: Part[], status: Error | undefined) => unknown) | null,
  ): void {
    this.checkOpen()
    this.callbacks.send = this.callbacks.capture(callback)
    this.callbacks.sendWithStream = true
  }

  /**
   * Calls `callback(error)` with every send or receive error, and with the Error `close()` reports for
   * queued messages it could not send; without it they are logged. (pyzmq's `on_err` is a no-op.)
   * @throws TypeError for a non-function; Error("Stream is closed").
   */
  onErr(callback: ((error: Error) => unknown) | null): void {
    this.checkOpen()
    this.callbacks.err = this.callbacks.capture(callback)
  }

  /**
   * Calls `callback()` once the send queue has emptied, after a `send*()` returned `false` (the queue was at
   * its limit: `setSendQueueLimit`); Node's `'drain'` event. `null` stops. Runs in the stack contexts of the
   * registration, like every stream callback. (no pyzmq equivalent: its queue has no limit)
   * @throws TypeError for a non-function; Error("Stream is closed").
   */
  onDrain(callback: (() => unknown) | null): void {
    this.checkOpen()
    this.callbacks.drain = this.callbacks.capture(callback)
  }

  /** Stops calling the recv callback; messages already taken from libzmq are kept for the next `onRecv`/`flush`. */
  stopOnRecv(): void {
    this.setRecv(null, {}, false)
  }

  /** `onSend(null)`. */
  stopOnSend(): void {
    this.onSend(null)
  }

  /** `onErr(null)`. */
  stopOnErr(): void {
    this.onErr(null)
  }

  /**
   * Calls `callback()` once when the stream closes (by `close()`, or when `closed()` finds the socket closed
   * elsewhere); `null` removes it. Allowed after close. (pyzmq `set_close_callback`)
   * @throws TypeError for a non-function.
   */
  setCloseCallback(callback: (() => unknown) | null): void {
    this.callbacks.close = this.callbacks.capture(callback)
  }

  // ---- sending ---------------------------------------------------------------------------------------------

  /**
   * Queues a one-part message (see `sendMultipart`); with `flags: SNDMORE` the part is held until the last
   * part of its message is sent. Returns whether the send queue is below its limit (see `sendMultipart`).
   * (pyzmq `send`)
   * @throws TypeError for a bad part or option (nothing is queued); Error("Stream is closed").
   */
  send(part: SendablePart, options?: SendOptions): boolean {
    this.checkOpen()
    return this.enqueue([checkPart("part", part)], options)
  }

  /**
   * Queues a message (each part a `Buffer`, a typed array, an `ArrayBuffer`, a UTF-8 string, or a `Frame`
   * received with `copy: false`, sent as its buffer); the stream hands it to libzmq, after those queued before
   * it, when the socket is writable, then calls `options.callback(msg, status)` and `onSend`'s callback. With
   * `flags: SNDMORE` the parts are held, and go out with the next send without it, as one message (one
   * `onSend`). `copy: true` copies the parts' bytes at the call, so the caller may change its buffers as soon as
   * this returns; without it, do not change a part of 32 KiB or more: libzmq reads it, not copied, until the
   * message has left, which can be after its callbacks. `routingId` (SERVER) and `group` (RADIO) go to
   * zeromq.js's `send`.
   *
   * Returns whether the send queue is below its limit afterwards, as Node's `writable.write()` does: `false`
   * asks the caller to wait for `onDrain`. Without a limit (the default, as pyzmq) it is always `true`. At
   * the limit with `whenFull: "refuse"` the message is not queued: its callbacks get a `SendQueueFullError`
   * from the loop. (pyzmq `send_multipart`)
   * @throws TypeError for a bad part or option (nothing is queued); Error("Stream is closed").
   */
  sendMultipart(parts: readonly SendablePart[], options?: SendOptions): boolean {
    this.checkOpen()
    return this.enqueue(checkParts(parts), options)
  }

  /**
   * Queues `text` encoded with `options.encoding` (default UTF-8; also `utf16le`, `latin1`, `ascii`).
   * (pyzmq `send_string`)
   * @throws TypeError when `text` is not a string or the encoding is not a text encoding; RangeError for text
   *   the encoding cannot hold (pyzmq: `UnicodeEncodeError`), nothing queued; Error("Stream is closed").
   */
  sendString(text: string, options?: SendOptions & { encoding?: BufferEncoding }): boolean {
    this.checkOpen()
    if (typeof text !== "string") throw new TypeError(`text must be a string, got ${describeValue(text)}`)
    const encoding = options?.encoding === undefined ? "utf8" : options.encoding
    return this.enqueue([encodeText(text, encoding)], options, ["encoding"])
  }

  /** Same as `sendString`. (pyzmq `send_unicode`) */
  sendUnicode(text: string, options?: SendOptions & { encoding?: BufferEncoding }): boolean {
    return this.sendString(text, options)
  }

  /**
   * Queues `value` as compact UTF-8 JSON (`dumpJson`), which pyzmq's `recv_json` reads.
   * (pyzmq `send_json`) @throws TypeError for a value JSON cannot encode (nothing is queued).
   */
  sendJson(value: unknown, options?: SendOptions): boolean {
    this.checkOpen()
    return this.enqueue([dumpJson(value)], options)
  }

  /**
   * Queues `value` as a Python pickle (`options.protocol` 2-5, default the highest) that pyzmq's `recv_pyobj`
   * reads. (pyzmq `send_pyobj`) @throws for a value or protocol pickle cannot encode (nothing is queued).
   */
  sendPyobj(value: unknown, options?: SendOptions & { protocol?: PickleProtocol }): boolean {
    this.checkOpen()
    return this.enqueue([dumpPyobj(value, options?.protocol)], options, ["protocol"])
  }

  private enqueue(given: Part[], options: unknown, own?: readonly string[]): boolean {
    if (!this.canSend) throw new TypeError(`parts: a ${this.socket.constructor.name} socket cannot send`)
    // The socket's class name only in an error message: reading it on every send cost ~20 ns (issue 15 item 6).
    const split = splitSendOptions(options, this.socketType, this.socket, own)
    if (this.sendsOnePart && (split.more || given.length > 1)) {
      throw new TypeError(
        `parts: a ${this.socket.constructor.name} socket sends one-part messages only (libzmq refuses ` +
          `more parts, or SNDMORE, on its thread-safe draft sockets), got ${split.more ? "SNDMORE" : `${given.length} parts`}`,
      )
    }
    const parts = split.copy ? copyParts(given) : given
    if (split.more) {
      this.engine.sender.holdParts(parts)
      return this.engine.hasRoom()
    }
    const message = this.engine.sender.completeMessage(parts)
    const callback = this.callbacks.capture(split.callback)
    // Ping-pong: a message nobody waits to hear about goes to libzmq inside this call (Sender's fast path).
    const quiet = callback === null && split.sendOptions === undefined && this.callbacks.send === null
    if (quiet && this.engine.sender.trySendNow(message)) {
      this.engine.calledSocket()
      return true
    }
    return this.engine.admit(
      {
        body: message.length === 1 ? message[0]! : message,
        sendOptions: split.sendOptions,
        callback,
        bytes: byteLength(message),
      },
      quiet,
    )
  }

  // ---- state -----------------------------------------------------------------------------------------------

  /**
   * How this stream moves messages: `"native"` (the addon reads and writes libzmq directly on the socket,
   * see the README's "Data paths") or `"zeromq.js"` (zeromq.js's `receive()`/`send()`). `NODE_DEBUG=zmq-eventloop`
   * says why at construction.
   */
  get dataPath(): DataPath {
    return this.engine.dataPath
  }

  /** Whether a recv callback is set. (pyzmq `receiving`) */
  receiving(): boolean {
    return this.engine.receiving()
  }

  /** Whether messages are queued to send, not yet handed to libzmq. (pyzmq `sending`) */
  sending(): boolean {
    return this.engine.sender.waiting > 0
  }

  /** How many messages are queued to send, not yet handed to libzmq. */
  queuedMessages(): number {
    return this.engine.sender.waiting
  }

  /** How many bytes the queued messages hold (each part's length, strings as UTF-8). */
  queuedBytes(): number {
    return this.engine.sender.waitingBytes
  }

  /** The send queue's limit now (`Infinity`: none). */
  get sendQueueLimit(): SendQueueLimit {
    return this.engine.sendQueueLimit
  }

  /**
   * Bounds the send queue, or changes its bound: `maxMessages` and/or `maxBytes` (an integer >= 1, or
   * `Infinity` for none) and `whenFull`, what a send at the limit does: `"accept"` (default) queues it and
   * returns `false`, `"refuse"` does not queue it and reports a `SendQueueFullError` through its per-send
   * callback, `onSend` and `onErr` (or the log) from the loop. Keys left out keep their value. Messages
   * already queued stay queued. pyzmq's queue has no limit, nor has this one by default.
   * @throws TypeError/RangeError for a bad option (nothing changes); Error("Stream is closed").
   */
  setSendQueueLimit(limit: SendQueueLimitOptions): void {
    this.checkOpen()
    this.engine.sendQueueLimit = applySendQueueLimit(this.engine.sendQueueLimit, limit, "limit")
  }

  /**
   * Whether the stream is closed. A socket closed behind the stream's back is noticed here: the stream then
   * closes itself (queued messages reported as in `close()`, close callback run). (pyzmq `closed`)
   */
  closed(): boolean {
    return this.engine.closeIfSocketClosed()
  }

  /**
   * Closes the stream and its socket now: removes the loop handler, hands every queued message it can to
   * libzmq (while the socket is writable), reports the rest through `onErr` and a `logger.warn` line
   * (`close(): 3 queued messages could not be sent`), sets `linger` (ms; -1 waits forever) if given, closes
   * the socket, then runs the close callback. Messages taken from libzmq but not delivered are dropped. A
   * second call does nothing. `null`, as pyzmq's `None`, leaves the socket's linger as it is, like
   * `undefined`. (pyzmq `close(linger=None)`)
   * @throws TypeError for a bad `linger`.
   */
  close(linger?: number | null): void {
    if (
      linger !== undefined &&
      linger !== null &&
      (typeof linger !== "number" || !Number.isInteger(linger) || linger < -1)
    ) {
      throw new TypeError(`linger must be an integer >= -1 (ms) or null, got ${describeValue(linger)}`)
    }
    this.engine.close(linger ?? undefined)
  }

  // ---- flush -----------------------------------------------------------------------------------------------

  /**
   * Handles the stream's pending events now, outside the loop, and resolves to the number of messages
   * received plus sent: with `POLLIN`, messages kept since `stopOnRecv()` and then new ones are delivered to
   * the recv callback, or dropped (and counted) when there is none; with `POLLOUT`, queued messages are sent.
   * `limit` (null/0: none) caps the count (pyzmq's could exceed it by one). Work the loop already started
   * settles first, so nothing is handled twice or out of order. (pyzmq `flush(flag=POLLIN|POLLOUT, limit=None)`)
   * `flag` is `POLLIN | POLLOUT` when left out; `undefined` is refused (a port's `zmq.POLLIN` on zeromq.js).
   * @throws TypeError for bad arguments; Error("Stream is closed"), synchronously.
   */
  flush(): Promise<number>
  flush(flag: number, limit?: number | null): Promise<number>
  flush(...args: [flag?: number, limit?: number | null]): Promise<number> {
    this.checkOpen()
    const flag = pollFlagsArgument("flag", args, POLLIN | POLLOUT)
    const limit = args[1] ?? null
    if (typeof flag !== "number" || !Number.isInteger(flag)) {
      throw new TypeError(`flag must be an integer of POLLIN | POLLOUT bits, got ${describeValue(flag)}`)
    }
    if (flag < 0 || flag > (POLLIN | POLLOUT | POLLERR)) {
      throw new RangeError(
        `flag must only hold POLLIN | POLLOUT | POLLERR bits (7), got ${describeValue(flag)}`,
      )
    }
    if (limit !== null && (typeof limit !== "number" || !Number.isInteger(limit) || limit < 0)) {
      throw new TypeError(`limit must be null or an integer >= 0, got ${describeValue(limit)}`)
    }
    return this.engine.flush(flag, limit === null || limit === 0 ? Infinity : limit, this.canReceive)
  }

  private checkOpen(): void {
    // The stream's flag, not zeromq.js's native `socket.closed` (~54 ns a read, on every send: issue 15
    // item 6): a socket closed directly closes its stream at once (StreamEngine.socketClosed), and one
    // closed any other way is reported by the loop (ERROR), which closes the stream and reports what
    // it could not send.
    if (this.engine.closed()) throw new Error("Stream is closed")
  }

  // ---- the socket interface, linked ------------------------------------------------------------------------

  /**
   * Binds to `addr:port` with a random port in [min, max) and resolves to the port; tries up to `tries`
   * ports in use. (pyzmq `bind_to_random_port(addr, min_port=49152, max_port=65536, max_tries=100)`)
   * @throws TypeError/RangeError for bad arguments; rejects with Error after `tries` ports in use.
   */
  bindToRandomPort(addr: string, min?: number, max?: number, tries?: number): Promise<number> {
    this.checkOpen()
    return bindToRandomPort(this.socket, addr, min, max, tries)
  }

  /**
   * Sets a socket option by libzmq number (17), libzmq/pyzmq name (`"ZMQ_LINGER"`, `"linger"`) or zeromq.js
   * name (`"sendHighWaterMark"`). `ZMQ_RCVTIMEO`/`ZMQ_SNDTIMEO` belong to the stream. (pyzmq `setsockopt`)
   * @throws TypeError for an unknown or owned option; zmq errors pass through.
   */
  setsockopt<N extends number | string>(
    option: SocketOptionArgument<N>,
    value: N extends SocketOptionName ? SocketOptionInput<N> : unknown,
  ): void {
    this.checkOpen()
    retryInterrupted(() => setSocketOption(this.socket, option, value))
  }

  /** Reads a socket option, named as for `setsockopt`. (pyzmq `getsockopt`) @throws TypeError for an unknown option. */
  getsockopt<N extends number | string>(
    option: SocketOptionArgument<N>,
  ): N extends SocketOptionName ? SocketOptionValue<N> : unknown {
    this.checkOpen()
    return retryInterrupted(() => getSocketOption(this.socket, option)) as N extends SocketOptionName
      ? SocketOptionValue<N>
      : unknown
  }

  static {
    // One forwarding method per LINKED_METHODS entry (pyzmq links the socket's bound methods instead).
    for (const name of LINKED_METHODS) {
      Object.defineProperty(ZMQStream.prototype, name, {
        configurable: true,
        writable: true,
        value: function linked(this: ZMQStream, ...args: unknown[]): unknown {
          this.checkOpen()
          checkLinkedArguments(name, args)
          const method = (this.socket as unknown as Record<string, unknown>)[name]
          if (typeof method !== "function") {
            throw new TypeError(`${name}: a ${this.socket.constructor.name} socket has no ${name}()`)
          }
          return retryInterrupted(() => method.apply(this.socket, args))
        },
      })
    }
  }
}

/** The constructor's second argument, checked: a loop, or {@link ZMQStreamOptions}. */
function streamOptions(value: unknown): { ioLoop: IOLoop | undefined; sendQueueLimit: SendQueueLimit } {
  if (value === undefined || value instanceof IOLoop) return { ioLoop: value, sendQueueLimit: UNBOUNDED }
  checkNotForeignLoop("ioLoop", value)
  if (typeof value !== "object" || value === null || Array.isArray(value) || isZmqSocket(value)) {
    throw new TypeError(`ioLoop must be an IOLoop or an options object, got ${describeValue(value)}`)
  }
  checkOptionsObject("options", value, "a ZMQStream option", ["ioLoop", "sendQueueLimit"])
  const { ioLoop, sendQueueLimit } = value as ZMQStreamOptions
  if (ioLoop !== undefined && !(ioLoop instanceof IOLoop)) {
    checkNotForeignLoop("options.ioLoop", ioLoop)
    throw new TypeError(`options.ioLoop must be an IOLoop, got ${describeValue(ioLoop)}`)
  }
  return {
    ioLoop,
    sendQueueLimit:
      sendQueueLimit === undefined
        ? UNBOUNDED
        : applySendQueueLimit(UNBOUNDED, sendQueueLimit, "options.sendQueueLimit"),
  }
}

/**
 * Throws a TypeError that says so when `value` is an IOLoop of another copy of @zmq-eventloop/ioloop than
 * this package's (two installed copies: `instanceof` fails, and the loop would otherwise pass for options).
 */
function checkNotForeignLoop(name: string, value: unknown): void {
  if (typeof value === "object" && value !== null && value.constructor?.name === "IOLoop") {
    throw new TypeError(
      `${name} is an IOLoop from another copy of @zmq-eventloop/ioloop than the one @zmq-eventloop/zmqstream uses: install one copy (npm ls @zmq-eventloop/ioloop), or, in a test runner, make the loop and the stream with the modules of one registry (jest.isolateModules and jest.resetModules load them again)`,
    )
  }
}
