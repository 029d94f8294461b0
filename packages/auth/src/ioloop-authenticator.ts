import { performance } from "node:perf_hooks"
import { types } from "node:util"
import { setTimeout as delay } from "node:timers/promises"
import * as zmq from "zeromq"
import { IOLoop, type Logger } from "@zmq-eventloop/ioloop"
import {
  checkOptionsObject,
  describeValue,
  errorCode,
  LogSink,
  servicesOf,
} from "@zmq-eventloop/ioloop/internal"
import { ZMQStream } from "@zmq-eventloop/zmqstream"
import { AuthPolicy, type CredentialsProvider } from "./auth-policy.js"
import { loadCertificates } from "./certificates.js"
import { stringTableEntries, type StringTable } from "./string-table.js"
import { checkString, toPath } from "./validate.js"
import { z85Encode } from "./z85.js"
import {
  ALLOWED,
  describeFrame,
  describeFrames,
  refused,
  splitEnvelope,
  ZAP_ENDPOINT,
  ZAP_VERSION,
  type Verdict,
} from "./zap-message.js"

/** `configureCurve(domain, CURVE_ALLOW_ANY)` admits every CURVE client key. (pyzmq `zmq.auth.CURVE_ALLOW_ANY`) */
export const CURVE_ALLOW_ANY = "*"

/** Options of `new IOLoopAuthenticator()`. */
export interface AuthenticatorOptions {
  /** How the domain, address, PLAIN username and password and the user id are decoded. Default `"utf8"`. */
  encoding?: BufferEncoding
  /** Where the debug lines about each decision, and errors, go. Default: the loop's `logger`. (pyzmq `log`) */
  logger?: Logger
}

const MECHANISM_CREDENTIALS: Readonly<Record<string, number>> = { PLAIN: 2, CURVE: 1, GSSAPI: 1 }
const CURVE_KEY_BYTES = 32
const LOGGER_METHODS = ["error", "warn", "info", "debug"] as const
// How long stop() waits for libzmq to free the endpoint: its reaper thread takes microseconds, and a
// handler that still holds the endpoint after this long is another one, bound meanwhile.
const RELEASE_WAIT_MS = 2000

/** Binds `probe` to the ZAP endpoint: true when done, false while the address is still in use. */
function bound(probe: zmq.Router): boolean {
  try {
    probe.bindSync(ZAP_ENDPOINT)
    return true
  } catch (error) {
    if (errorCode(error) === "EADDRINUSE") return false
    /* c8 ignore next 2 -- see endpointReleased */
    throw error
  }
}

/**
 * A ZAP handler on an {@link IOLoop}: pyzmq's `zmq.auth.ioloop.IOLoopAuthenticator`. `start()` binds a
 * ROUTER at `inproc://zeromq.zap.01` in the sockets' context and answers libzmq's authentication requests
 * from the loop through a {@link ZMQStream}; the policy is set with `allow`/`deny` (client addresses),
 * `configurePlain` (usernames and passwords) and `configureCurve`/`configureCurveCallback` (client keys),
 * and may change while it runs.
 *
 * As in pyzmq: until configured, NULL clients are admitted and PLAIN and CURVE clients refused; an address
 * list, once set, applies to every mechanism, and an allowed address must still pass PLAIN or CURVE; each
 * decision is logged at debug level. libzmq asks the handler about NULL clients only when the server
 * socket has a `zapDomain`.
 *
 * Start it before clients connect: libzmq looks for the handler at each handshake, and admits the client
 * without asking when none is bound.
 *
 * @example
 * ```ts
 * const auth = new IOLoopAuthenticator(undefined, loop)
 * auth.start()
 * auth.allow("127.0.0.1")
 * auth.configureCurve("*", publicKeysDir)
 * ```
 */
export class IOLoopAuthenticator {
  /** The context whose sockets this handler authenticates (pyzmq `context`). */
  readonly context: zmq.Context
  /** The loop the handler runs on (pyzmq `io_loop`). */
  readonly ioLoop: IOLoop
  /** How request frames are decoded (pyzmq `encoding`). */
  readonly encoding: BufferEncoding
  /** Where decisions (debug) and errors go (pyzmq `log`). */
  readonly logger: Logger

  private stream: ZMQStream | null = null
  private stopping: Promise<void> | null = null
  private readonly policy: AuthPolicy
  /** `logger`, called so that a logger that throws or rejects never stops a ZAP reply. */
  private readonly log: LogSink

  /**
   * @param context The sockets' context; default zeromq.js's global `context`, the one sockets get when
   * given none. (pyzmq's default is `zmq.Context.instance()`)
   * @param ioLoop Default `IOLoop.current()`.
   * @throws TypeError for a bad argument.
   */
  constructor(context?: zmq.Context | null, ioLoop?: IOLoop | null, options: AuthenticatorOptions = {}) {
    if (context != null && !(context instanceof zmq.Context)) {
      throw new TypeError(`context must be a zeromq.js Context, got ${describeValue(context)}`)
    }
    if (ioLoop != null && !(ioLoop instanceof IOLoop)) {
      throw new TypeError(`ioLoop must be an IOLoop, got ${describeValue(ioLoop)}`)
    }
    checkOptionsObject("options", options, "an IOLoopAuthenticator option", ["encoding", "logger"])
    const { encoding = "utf8", logger } = options
    if (typeof encoding !== "string" || !Buffer.isEncoding(encoding)) {
      throw new TypeError(`options.encoding must be a Buffer encoding, got ${describeValue(encoding)}`)
    }
    if (logger !== undefined && LOGGER_METHODS.some((level) => typeof logger?.[level] !== "function")) {
      throw new TypeError(
        `options.logger must have error, warn, info and debug methods, got ${describeValue(logger)}`,
      )
    }
    this.context = context ?? zmq.context
    this.ioLoop = ioLoop ?? IOLoop.current()
    this.encoding = encoding
    this.logger = logger ?? this.ioLoop.logger
    const services = servicesOf(this.ioLoop)
    this.log = logger === undefined ? services.log : new LogSink(logger)
    this.policy = new AuthPolicy(this.log, services.funnel)
  }

  /** The stream of the ZAP socket while started, else `null`. (pyzmq `zap_stream`; `zap_socket` is its `socket`) */
  get zapStream(): ZMQStream | null {
    return this.stream
  }

  /**
   * Binds the ZAP socket (a ROUTER, linger 1 ms) at `inproc://zeromq.zap.01` in `context` and answers
   * requests from the loop, whenever it runs.
   * @throws Error when already started, or still stopping; zeromq.js's `EADDRINUSE` error when another ZAP
   * handler is bound in this context.
   */
  start(): void {
    if (this.stopping !== null)
      throw new Error("IOLoopAuthenticator is stopping: await stop() before start()")
    if (this.stream !== null) throw new Error("IOLoopAuthenticator is already started")
    // A ROUTER where pyzmq has a REP: replies may go out in any order, so that a provider answering later
    // does not hold up the requests behind it. Each session asks over a pipe of its own, one request at a
    // time, so the ROUTER's silent drop at the high-water mark cannot lose a reply.
    const socket = new zmq.Router({ context: this.context, linger: 1 })
    try {
      socket.bindSync(ZAP_ENDPOINT)
      this.stream = new ZMQStream(socket, this.ioLoop)
    } catch (error) {
      socket.close()
      throw error
    }
    this.stream.onRecvStream(this.handleZapMessage)
    this.log.debug("Starting")
  }

  /**
   * Closes the ZAP stream and its socket now (replies already queued are handed to libzmq first; those
   * still being decided are dropped), as pyzmq does. The promise resolves once libzmq has freed the endpoint
   * in the context, so that a `start()` (this handler's or another's) can bind it again. Does nothing when
   * not started; a second call returns the same promise. Never rejects: a failure is logged.
   */
  stop(): Promise<void> {
    if (this.stopping !== null) return this.stopping
    const stream = this.stream
    if (stream === null) return Promise.resolve()
    this.stream = null
    stream.close()
    this.stopping = this.endpointReleased().finally(() => (this.stopping = null))
    return this.stopping
  }

  /**
   * Resolves once `ZAP_ENDPOINT` is free in the context. libzmq frees the inproc endpoint of a closed socket
   * later, on its reaper thread, with nothing to wait on (a `start()` right after a close was seen failing
   * with EADDRINUSE), so a probe socket binds it as soon as it can, then unbinds it, which frees it at once.
   * The probe is in no loop: zeromq.js unbinds on a worker thread, and a socket the loop polls meanwhile
   * from the main thread crashed libzmq (an assertion in pipe.cpp, seen here). zeromq.js 6.8's `unbindSync`
   * binds instead, so it cannot be used.
   */
  private async endpointReleased(): Promise<void> {
    const probe = new zmq.Router({ context: this.context, linger: 0 })
    try {
      const giveUpAt = performance.now() + RELEASE_WAIT_MS
      do {
        if (performance.now() > giveUpAt) {
          this.log.error(`${ZAP_ENDPOINT} still bound ${RELEASE_WAIT_MS} ms after stop(): another handler?`)
          return
        }
        await delay(1)
      } while (!bound(probe))
      await probe.unbind(ZAP_ENDPOINT)
      /* c8 ignore next 3 -- not tested: no other bind or unbind error is known (the context bound before) */
    } catch (error) {
      this.log.error("IOLoopAuthenticator could not check that its ZAP endpoint is free", error)
    } finally {
      probe.close()
    }
  }

  /**
   * Admits only clients from these IP addresses (for NULL, all of them; PLAIN and CURVE clients must still
   * authenticate). Adds to the list. (pyzmq `allow`, formerly whitelist)
   * @throws Error when `deny()` was used: the two are exclusive.
   */
  allow(...addresses: string[]): void {
    addresses.forEach((address, index) => checkString(`addresses[${index}]`, address))
    this.policy.allow(addresses)
    this.log.debug(`Allowing ${addresses.join(",")}`)
  }

  /**
   * Refuses clients from these IP addresses; others go on to authenticate. Adds to the list. (pyzmq `deny`,
   * formerly blacklist)
   * @throws Error when `allow()` was used: the two are exclusive.
   */
  deny(...addresses: string[]): void {
    addresses.forEach((address, index) => checkString(`addresses[${index}]`, address))
    this.policy.deny(addresses)
    this.log.debug(`Denying ${addresses.join(",")}`)
  }

  /**
   * PLAIN clients of `domain` (`"*"`: servers without a `zapDomain`) authenticate with these usernames and
   * passwords. The table is kept, not copied: changes to it apply to later requests. An empty table,
   * or none, changes nothing, as in pyzmq. (pyzmq `configure_plain(domain='*', passwords=None)`)
   */
  configurePlain(domain: string = "*", passwords?: StringTable): void {
    checkString("domain", domain)
    if (passwords === undefined)
      return this.log.debug(`Configure plain: ${domain} (no passwords: nothing changes)`)
    if (stringTableEntries("passwords", passwords).length > 0) this.policy.setPasswords(domain, passwords)
    this.log.debug(`Configure plain: ${domain}`)
  }

  /**
   * CURVE clients of `domain` are admitted when their public key is in a certificate (`*.key`) in the
   * directory `location`, read now (call again after adding or removing certificates); `CURVE_ALLOW_ANY`
   * admits any key, in every domain. Either replaces a `CURVE_ALLOW_ANY` given before. (pyzmq
   * `configure_curve(domain='*', location='.')`; pyzmq logs a directory it cannot read, this throws)
   * @throws TypeError for bad arguments; `loadCertificates`'s errors (nothing is changed then).
   */
  configureCurve(domain: string = "*", location: string | URL): void {
    checkString("domain", domain)
    this.log.debug(`Configure curve: ${domain}[${String(location)}]`)
    if (location === CURVE_ALLOW_ANY) this.policy.allowAnyCurveKey()
    else this.policy.setCertificates(domain, loadCertificates(toPath("location", location)))
  }

  /**
   * CURVE clients of `domain` are admitted when `provider.callback(domain, key)` says so. While any
   * provider is configured, the certificate directories of `configureCurve` are not consulted (as in
   * pyzmq). Replaces a `CURVE_ALLOW_ANY` given before. (pyzmq
   * `configure_curve_callback(domain='*', credentials_provider=None)`)
   */
  configureCurveCallback(domain: string = "*", provider: CredentialsProvider): void {
    checkString("domain", domain)
    if (typeof provider !== "object" || provider === null || typeof provider.callback !== "function") {
      throw new TypeError(
        `provider must be an object with a callback(domain, key) method, got ${describeValue(provider)}`,
      )
    }
    this.policy.setCredentialsProvider(domain, provider)
  }

  /**
   * The user id an admitted CURVE client gets (the "User-Id" property libzmq gives each of its messages):
   * its public key in Z85. Override it to map keys to names. (pyzmq `curve_user_id`)
   */
  curveUserId(clientPublicKey: Buffer): string {
    if (!types.isUint8Array(clientPublicKey) || clientPublicKey.length !== CURVE_KEY_BYTES) {
      throw new TypeError(`clientPublicKey must be a 32-byte Buffer, got ${describeValue(clientPublicKey)}`)
    }
    return z85Encode(clientPublicKey)
  }

  // ---- answering a request (pyzmq `handle_zap_message`) ----------------------------------------------------

  private readonly handleZapMessage = async (stream: ZMQStream, message: Buffer[]): Promise<void> => {
    const split = splitEnvelope(message)
    if (split === null) {
      this.log.error(`Invalid ZAP message, no envelope delimiter: ${describeFrames(message)}`)
      return
    }
    const { envelope, frames } = split
    const reply = (verdict: Verdict, userId = "") =>
      this.sendZapReply(stream, envelope, frames[1]!, verdict, userId)
    if (frames.length < 6) {
      this.log.error(`Invalid ZAP message, not enough frames: ${describeFrames(frames)}`)
      if (frames.length < 2) this.log.error("Not enough information to reply")
      else reply(refused("Not enough frames"))
      return
    }
    const [version, requestId, domainFrame, addressFrame, identity, mechanismFrame, ...credentials] =
      frames as [Buffer, Buffer, Buffer, Buffer, Buffer, Buffer, ...Buffer[]]
    if (version.toString("latin1") !== ZAP_VERSION) {
      this.log.error(`Invalid ZAP version: ${describeFrames(frames)}`)
      return reply(refused("Invalid version"))
    }
    const domain = domainFrame.toString(this.encoding)
    const address = addressFrame.toString(this.encoding)
    const mechanism = mechanismFrame.toString("latin1")
    this.log.debug(
      `version: ${describeFrame(version)}, request_id: ${describeFrame(requestId)}, ` +
        `domain: ${JSON.stringify(domain)}, address: ${JSON.stringify(address)}, ` +
        `identity: ${describeFrame(identity)}, mechanism: ${JSON.stringify(mechanism)}`,
    )

    const listed = this.policy.checkAddress(address)
    if (typeof listed === "object") return reply(listed)
    const expected = MECHANISM_CREDENTIALS[mechanism]
    if (expected !== undefined && credentials.length !== expected) {
      this.log.error(`Invalid ${mechanism} credentials: ${credentials.length} frames`)
      return reply(refused("Invalid credentials"))
    }
    switch (mechanism) {
      case "NULL":
        // For NULL, an address that was not refused is enough.
        if (listed !== "allowed") this.log.debug("ALLOWED (NULL)")
        return reply(ALLOWED, "anonymous")
      case "PLAIN": {
        const [username, password] = credentials.map((frame) => frame.toString(this.encoding)) as [
          string,
          string,
        ]
        return reply(this.policy.authenticatePlain(domain || "*", username, password), username)
      }
      case "CURVE": {
        const key = credentials[0]!
        if (key.length !== CURVE_KEY_BYTES) {
          this.log.error(`Invalid CURVE credentials: a key of ${key.length} bytes`)
          return reply(refused("Invalid credentials"))
        }
        const verdict = await this.policy.authenticateCurve(domain || "*", key)
        return reply(verdict, verdict === ALLOWED ? this.curveUserId(key) : "")
      }
      case "GSSAPI": {
        // The principal was already checked by the GSSAPI service; it becomes the user id.
        const principal = credentials[0]!.toString("utf8")
        this.log.debug(`ALLOWED (GSSAPI) domain=${domain} principal=${principal}`)
        return reply(ALLOWED, principal)
      }
      default:
        return reply(listed === "allowed" ? ALLOWED : refused("NO ACCESS"), "anonymous")
    }
  }

  /** pyzmq `_send_zap_reply`: the user id goes with a 200 only; metadata is empty. */
  private sendZapReply(
    stream: ZMQStream,
    envelope: Buffer[],
    requestId: Buffer,
    verdict: Verdict,
    userId: string,
  ): void {
    const { statusCode, statusText } = verdict
    if (this.zapStream !== stream) {
      this.log.debug(
        `ZAP reply dropped, the authenticator was stopped: code=${statusCode} text=${statusText}`,
      )
      return
    }
    this.log.debug(`ZAP reply code=${statusCode} text=${statusText}`)
    const user = statusCode === "200" ? Buffer.from(userId, this.encoding) : ""
    stream.sendMultipart([...envelope, ZAP_VERSION, requestId, statusCode, statusText, user, ""])
  }
}
