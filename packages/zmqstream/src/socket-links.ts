import { types } from "node:util"
import type { Socket } from "zeromq"
import { describeValue, errorCode } from "@zmq-eventloop/ioloop/internal"
import { ZMQ_RCVTIMEO, ZMQ_SNDTIMEO } from "./constants.js"
import type { SubscribeArguments } from "./socket-capabilities.js"

// The socket interface a ZMQStream links to its socket (pyzmq links `bind`, `connect`, `setsockopt`… as the
// socket's own bound methods), and pyzmq's option names for `setsockopt`/`getsockopt`.

/** The socket methods a stream forwards as is: `stream.connect(a)` is `stream.socket.connect(a)`. */
export const LINKED_METHODS = [
  "bind", //        (address) → Promise<void>   zeromq.js binds asynchronously
  "unbind", //      (address) → Promise<void>
  "connect", //     (address, options?) → void
  "disconnect", //  (address) → void
  "subscribe", //   (...prefixes) → void        SUB sockets only
  "unsubscribe", // (...prefixes) → void        SUB sockets only
] as const

export type LinkedMethod = (typeof LINKED_METHODS)[number]

function checkPrefix(name: string, value: unknown): void {
  if (typeof value !== "string" && !types.isUint8Array(value)) {
    throw new TypeError(`${name} must be a string or Buffer, got ${describeValue(value)}`)
  }
}

/**
 * Checks a linked method's arguments at the call, so a bad one fails with a TypeError naming it (zeromq.js's
 * own messages name no argument, and `bind`'s come later as a rejection).
 */
export function checkLinkedArguments(method: LinkedMethod, args: unknown[]): void {
  if (method === "subscribe" || method === "unsubscribe") {
    args.forEach((prefix, i) => checkPrefix(`prefixes[${i}]`, prefix))
    return
  }
  const [address, options] = args
  if (typeof address !== "string") {
    throw new TypeError(
      `address must be a string (e.g. "tcp://127.0.0.1:5555"), got ${describeValue(address)}`,
    )
  }
  if (method === "connect" && options !== undefined && (typeof options !== "object" || options === null)) {
    throw new TypeError(`options must be an object, got ${describeValue(options)}`)
  }
}

/**
 * The linked methods' signatures (zeromq.js's), merged into `ZMQStream<S>`: `subscribe`/`unsubscribe` only
 * where `S` has them (or is not known).
 */
export interface LinkedSocketMethods<S extends Socket = Socket> {
  /** `socket.bind(address)`: resolves once bound. (pyzmq `bind`, which is synchronous) */
  bind(address: string): Promise<void>
  /** `socket.unbind(address)`: resolves once unbound. */
  unbind(address: string): Promise<void>
  /** `socket.connect(address)`; a ROUTER also takes zeromq.js's `{ routingId }` options. */
  connect(address: string, options?: object): void
  /** `socket.disconnect(address)`. */
  disconnect(address: string): void
  /**
   * `socket.subscribe(...prefixes)` (no prefix: everything). A compile error where `S` is known to have none.
   * @throws TypeError on a socket that has none.
   */
  subscribe(...prefixes: SubscribeArguments<S>): void
  /** `socket.unsubscribe(...prefixes)`. Typed as `subscribe`. @throws TypeError on a socket that has none. */
  unsubscribe(...prefixes: SubscribeArguments<S>): void
}

/** How an option's value is read and written (the typed accessors of zeromq.js's native socket). */
type OptionKind = "Int32" | "Int64" | "Uint64" | "Bool" | "String"

interface OptionSpec {
  /** libzmq name without `ZMQ_` (pyzmq's constant name). */
  readonly name: string
  readonly id: number
  readonly kind: OptionKind
  /** zeromq.js's property name, also accepted. */
  readonly jsName?: string
}

// One line per option: libzmq name, option number, value type, zeromq.js name.
const OPTIONS = [
  { name: "AFFINITY", id: 4, kind: "Uint64", jsName: "affinity" },
  { name: "ROUTING_ID", id: 5, kind: "String", jsName: "routingId" }, // ZMQ_IDENTITY before libzmq 4.2
  { name: "SUBSCRIBE", id: 6, kind: "String" }, // write-only
  { name: "UNSUBSCRIBE", id: 7, kind: "String" }, // write-only
  { name: "RATE", id: 8, kind: "Int32", jsName: "rate" },
  { name: "RECOVERY_IVL", id: 9, kind: "Int32", jsName: "recoveryInterval" },
  { name: "SNDBUF", id: 11, kind: "Int32", jsName: "sendBufferSize" },
  { name: "RCVBUF", id: 12, kind: "Int32", jsName: "receiveBufferSize" },
  { name: "RCVMORE", id: 13, kind: "Int32" }, // read-only; always 0 between zeromq.js receives (whole messages)
  { name: "FD", id: 14, kind: "Int32" }, // read-only; an int on POSIX
  { name: "EVENTS", id: 15, kind: "Int32" }, // read-only; POLLIN | POLLOUT
  { name: "TYPE", id: 16, kind: "Int32", jsName: "type" }, // read-only
  { name: "LINGER", id: 17, kind: "Int32", jsName: "linger" },
  { name: "RECONNECT_IVL", id: 18, kind: "Int32", jsName: "reconnectInterval" },
  { name: "BACKLOG", id: 19, kind: "Int32", jsName: "backlog" },
  { name: "RECONNECT_IVL_MAX", id: 21, kind: "Int32", jsName: "reconnectMaxInterval" },
  { name: "MAXMSGSIZE", id: 22, kind: "Int64", jsName: "maxMessageSize" },
  { name: "SNDHWM", id: 23, kind: "Int32", jsName: "sendHighWaterMark" },
  { name: "RCVHWM", id: 24, kind: "Int32", jsName: "receiveHighWaterMark" },
  { name: "MULTICAST_HOPS", id: 25, kind: "Int32", jsName: "multicastHops" },
  { name: "RCVTIMEO", id: 27, kind: "Int32", jsName: "receiveTimeout" }, // owned by the stream: read-only here
  { name: "SNDTIMEO", id: 28, kind: "Int32", jsName: "sendTimeout" }, // owned by the stream: read-only here
  { name: "LAST_ENDPOINT", id: 32, kind: "String", jsName: "lastEndpoint" }, // read-only
  { name: "ROUTER_MANDATORY", id: 33, kind: "Bool", jsName: "mandatory" }, // write-only in libzmq
  { name: "TCP_KEEPALIVE", id: 34, kind: "Int32", jsName: "tcpKeepalive" },
  { name: "IMMEDIATE", id: 39, kind: "Bool", jsName: "immediate" },
  { name: "IPV6", id: 42, kind: "Bool", jsName: "ipv6" },
  { name: "PROBE_ROUTER", id: 51, kind: "Bool", jsName: "probeRouter" }, // write-only
  { name: "REQ_CORRELATE", id: 52, kind: "Bool", jsName: "correlate" }, // write-only
  { name: "REQ_RELAXED", id: 53, kind: "Bool", jsName: "relaxed" }, // write-only
  { name: "CONFLATE", id: 54, kind: "Bool", jsName: "conflate" }, // write-only
  { name: "ROUTER_HANDOVER", id: 56, kind: "Bool", jsName: "handover" }, // write-only
  { name: "HANDSHAKE_IVL", id: 66, kind: "Int32", jsName: "handshakeInterval" },
  { name: "HEARTBEAT_IVL", id: 75, kind: "Int32", jsName: "heartbeatInterval" },
  { name: "HEARTBEAT_TTL", id: 76, kind: "Int32", jsName: "heartbeatTimeToLive" },
  { name: "HEARTBEAT_TIMEOUT", id: 77, kind: "Int32", jsName: "heartbeatTimeout" },
  { name: "CONNECT_TIMEOUT", id: 79, kind: "Int32", jsName: "connectTimeout" },
  // { name: "HWM", id: 1 }            removed in libzmq 3: use SNDHWM / RCVHWM
  // { name: "SWAP", id: 3 }           removed in libzmq 3
  // { name: "CURVE_SERVER"…, 47-50 }  keys are 32 bytes or Z85 text: use zeromq.js's curve* properties
  // { name: "XPUB_VERBOSE", id: 40 }  zeromq.js models it as XPublisher.verbosity (two options in one)
  // { name: "ZAP_DOMAIN"…, 55 }       security set-up: use zeromq.js's properties, which validate it
] as const satisfies readonly OptionSpec[]

/** One entry of the option table: libzmq name, number, value kind and zeromq.js name. */
export type SocketOptionSpec = (typeof OPTIONS)[number]

/** The value type of each option kind, as `setsockopt` takes it and `getsockopt` returns it. */
export interface SocketOptionValues {
  Int32: number
  Int64: number
  Uint64: number
  Bool: boolean
  String: string | null
}

/**
 * The option names the table knows, in the spellings a port most likely uses: `"ZMQ_LINGER"`, `"LINGER"`,
 * pyzmq's attribute `"linger"`, and zeromq.js's `"linger"`. (Any case works at run time; these are the
 * ones typed.)
 */
export type SocketOptionName =
  | `ZMQ_${SocketOptionSpec["name"]}`
  | SocketOptionSpec["name"]
  | Lowercase<SocketOptionSpec["name"]>
  | Extract<SocketOptionSpec, { jsName: string }>["jsName"]
  | "IDENTITY" // ZMQ_ROUTING_ID before libzmq 4.2, still pyzmq's zmq.IDENTITY
  | "ZMQ_IDENTITY"

/**
 * What `setsockopt`/`getsockopt` take as the option `N`: a name the table knows, a libzmq option number, or
 * a `string` known only at run time (checked then). A literal name the table lacks, such as a misspelling,
 * is a compile error.
 */
export type SocketOptionArgument<N extends number | string> = N extends SocketOptionName | number
  ? N
  : string extends N
    ? N
    : SocketOptionName

/** The option table entry that name `N` stands for. */
export type SocketOptionSpecNamed<N> =
  | Extract<SocketOptionSpec, { name: N }>
  | Extract<SocketOptionSpec, { jsName: N }>
  | (N extends `ZMQ_${infer Name}` ? Extract<SocketOptionSpec, { name: Name }> : never)
  | (N extends Lowercase<SocketOptionSpec["name"]>
      ? Extract<SocketOptionSpec, { name: Uppercase<N> }>
      : never)
  | (N extends "IDENTITY" | "ZMQ_IDENTITY" ? Extract<SocketOptionSpec, { name: "ROUTING_ID" }> : never)

/** What `getsockopt(name)` returns for a known option. */
export type SocketOptionValue<N extends SocketOptionName> =
  SocketOptionValues[SocketOptionSpecNamed<N>["kind"]]

/** What `setsockopt(name, value)` takes for a known option (booleans also as pyzmq's 0/1, strings also as Buffers). */
export type SocketOptionInput<N extends SocketOptionName> = SocketOptionSpecNamed<N>["kind"] extends "Bool"
  ? boolean | 0 | 1
  : SocketOptionSpecNamed<N>["kind"] extends "String"
    ? string | Buffer | null
    : number

/** The options a stream owns (both must stay 0 for its fast paths). */
const OWNED_OPTIONS: ReadonlySet<number> = new Set([ZMQ_RCVTIMEO, ZMQ_SNDTIMEO])

const INT32_MIN = -0x80000000
const INT32_MAX = 0x7fffffff

/** Checks `value` for an option of `spec`'s kind. @throws TypeError / RangeError naming `value`. */
function checkOptionValue(spec: OptionSpec, value: unknown): void {
  const expected = `for ZMQ_${spec.name}`
  switch (spec.kind) {
    case "Bool":
      // pyzmq code passes 0/1 (`setsockopt(zmq.ROUTER_MANDATORY, 1)`): taken as false/true.
      if (typeof value !== "boolean" && value !== 0 && value !== 1) {
        throw new TypeError(`value must be a boolean (or 0/1) ${expected}, got ${describeValue(value)}`)
      }
      return
    case "String":
      if (typeof value !== "string" && !types.isUint8Array(value) && value !== null) {
        throw new TypeError(`value must be a string, Buffer or null ${expected}, got ${describeValue(value)}`)
      }
      return
    case "Int32":
      checkInteger(value, expected, INT32_MIN, INT32_MAX)
      return
    case "Int64":
      checkInteger(value, expected, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)
      return
    case "Uint64":
      checkInteger(value, expected, 0, Number.MAX_SAFE_INTEGER)
  }
}

function checkInteger(value: unknown, expected: string, min: number, max: number): void {
  if (typeof value === "bigint") value = Number(value) // zeromq.js takes numbers; a bigint in range is fine
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`value must be an integer ${expected}, got ${describeValue(value)}`)
  }
  if (value < min || value > max) {
    throw new RangeError(`value must be within ${min} to ${max} ${expected}, got ${describeValue(value)}`)
  }
}

const TABLE: readonly OptionSpec[] = OPTIONS
const byId = new Map<number, OptionSpec>(TABLE.map((spec) => [spec.id, spec]))
const byName = new Map<string, OptionSpec>()
for (const spec of TABLE) {
  byName.set(spec.name, spec)
  if (spec.jsName !== undefined) byName.set(spec.jsName.toUpperCase(), spec)
}
byName.set("IDENTITY", byId.get(5)!)

/**
 * The option `option` names: a libzmq option number (17), a libzmq/pyzmq name (`"ZMQ_LINGER"`, `"LINGER"`,
 * `"linger"`) or a zeromq.js property name (`"linger"`, `"sendHighWaterMark"`).
 * @throws TypeError for an unknown option.
 */
function findOption(option: unknown): OptionSpec {
  const spec =
    typeof option === "number"
      ? byId.get(option)
      : typeof option === "string"
        ? byName.get(option.toUpperCase().replace(/^ZMQ_/, ""))
        : undefined
  if (spec === undefined) {
    throw new TypeError(
      `option must be a zmq option number or name (e.g. 17, "ZMQ_LINGER", "linger"), got ${describeValue(option)}`,
    )
  }
  return spec
}

type RawOptions = Record<`get${OptionKind}Option`, (id: number) => unknown> &
  Record<`set${OptionKind}Option`, (id: number, value: unknown) => void>

/** pyzmq `socket.setsockopt(option, value)`. @throws TypeError for an unknown option; zmq errors pass through. */
export function setSocketOption(socket: Socket, option: unknown, value: unknown): void {
  const spec = findOption(option)
  if (OWNED_OPTIONS.has(spec.id)) {
    throw new TypeError(`option ZMQ_${spec.name} belongs to the stream (it keeps it at 0 for its fast paths)`)
  }
  checkOptionValue(spec, value)
  const native = typeof value === "bigint" ? Number(value) : spec.kind === "Bool" ? Boolean(value) : value
  ;(socket as unknown as RawOptions)[`set${spec.kind}Option`](spec.id, native)
}

/** pyzmq `socket.getsockopt(option)`. @throws TypeError for an unknown option; zmq errors pass through. */
export function getSocketOption(socket: Socket, option: unknown): unknown {
  const spec = findOption(option)
  return (socket as unknown as RawOptions)[`get${spec.kind}Option`](spec.id)
}

/**
 * pyzmq `socket.bind_to_random_port(addr, min_port, max_port, max_tries)`: binds to `addr:port` with a
 * random port in [min, max), trying up to `tries` ports that are in use. Resolves to the port.
 * @throws TypeError/RangeError for bad arguments; Error after `tries` ports in use; other bind errors pass through.
 */
export async function bindToRandomPort(
  socket: Socket,
  addr: unknown,
  min: unknown = 49152,
  max: unknown = 65536,
  tries: unknown = 100,
): Promise<number> {
  if (typeof addr !== "string") throw new TypeError(`addr must be a string, got ${describeValue(addr)}`)
  if (/^(ipc|inproc):/.test(addr)) {
    // libzmq would take `ipc:///tmp/x:51234` as a path, and report a port that is none
    throw new RangeError(`addr must be an address with ports (tcp://host), got ${describeValue(addr)}`)
  }
  for (const [name, value] of [
    ["min", min],
    ["max", max],
    ["tries", tries],
  ] as const) {
    if (typeof value !== "number" || !Number.isInteger(value)) {
      throw new TypeError(`${name} must be an integer, got ${describeValue(value)}`)
    }
  }
  const [low, high, attempts] = [min as number, max as number, tries as number]
  if (low < 1 || high > 65536 || low >= high) {
    throw new RangeError(`min and max must satisfy 1 <= min < max <= 65536, got ${low} and ${high}`)
  }
  if (attempts < 1) throw new RangeError(`tries must be at least 1, got ${attempts}`)
  for (let i = 0; i < attempts; i++) {
    const port = low + Math.floor(Math.random() * (high - low))
    try {
      await socket.bind(`${addr}:${port}`)
      return port
    } catch (error) {
      const code = errorCode(error)
      if (code !== "EADDRINUSE" && code !== "EACCES") throw error
    }
  }
  throw new Error(
    `bindToRandomPort: could not bind ${addr} to a random port in [${low}, ${high}) after ${attempts} tries`,
  )
}
