import type { LogSink, UserCodeRunner } from "@zmq-eventloop/ioloop/internal"
import { isThenable } from "@zmq-eventloop/ioloop/internal"
import { lookupString, type StringTable } from "./string-table.js"
import { z85Encode } from "./z85.js"
import { ALLOWED, refused, type Verdict } from "./zap-message.js"

/**
 * Decides on CURVE client keys for `configureCurveCallback`: a class of yours, say one that looks keys up in
 * a database. (pyzmq's `credentials_provider`, an object with the same `callback` method)
 */
export interface CredentialsProvider {
  /**
   * Whether the client with public key `key` (Z85, 40 characters) may connect to `domain` (`"*"` when the
   * server socket has no `zapDomain`). May answer later with a promise; requests are answered in any order.
   * An error it throws, or a rejection, goes to the loop's `handleCallbackException` and the client is
   * refused with ZAP status 500.
   */
  callback(domain: string, key: string): boolean | PromiseLike<boolean>
}

/** What the address lists say about a client: admitted as far as they go, not listed, or refused. */
export type AddressCheck = "allowed" | "unlisted" | Verdict

const INTERNAL_ERROR: Verdict = { statusCode: "500", statusText: "Internal error" }

/**
 * The authenticator's rules and its decisions on them, with pyzmq's debug line for each decision (pyzmq
 * `Authenticator`'s state and `_authenticate_*` methods). Arguments are checked by the authenticator.
 */
export class AuthPolicy {
  private allowAny = false
  private readonly allowed = new Set<string>()
  private readonly denied = new Set<string>()
  private readonly passwords = new Map<string, StringTable>()
  private readonly certs = new Map<string, ReadonlySet<string>>()
  private readonly credentialsProviders = new Map<string, CredentialsProvider>()

  constructor(
    private readonly log: LogSink,
    /** The loop's funnel: a provider's error goes to `handleCallbackException`, whatever that does. */
    private readonly funnel: UserCodeRunner,
  ) {}

  /** @throws Error when addresses were denied: the two lists are exclusive. */
  allow(addresses: string[]): void {
    if (this.denied.size > 0) throw new Error("Only use allow or deny, not both")
    for (const address of addresses) this.allowed.add(address)
  }

  /** @throws Error when addresses were allowed: the two lists are exclusive. */
  deny(addresses: string[]): void {
    if (this.allowed.size > 0) throw new Error("Only use allow or deny, not both")
    for (const address of addresses) this.denied.add(address)
  }

  setPasswords(domain: string, passwords: StringTable): void {
    this.passwords.set(domain, passwords)
  }

  allowAnyCurveKey(): void {
    this.allowAny = true
  }

  setCertificates(domain: string, keys: ReadonlySet<string>): void {
    this.allowAny = false
    this.certs.set(domain, keys)
  }

  setCredentialsProvider(domain: string, provider: CredentialsProvider): void {
    this.allowAny = false
    this.credentialsProviders.set(domain, provider)
  }

  /** The address lists' say on `address`, logged as pyzmq's PASSED/DENIED lines. */
  checkAddress(address: string): AddressCheck {
    if (this.allowed.size > 0) {
      if (this.allowed.has(address)) {
        this.log.debug(`PASSED (allowed) address=${address}`)
        return "allowed"
      }
      this.log.debug(`DENIED (not allowed) address=${address}`)
      return refused("Address not allowed")
    }
    if (this.denied.size > 0) {
      if (this.denied.has(address)) {
        this.log.debug(`DENIED (denied) address=${address}`)
        return refused("Address denied")
      }
      this.log.debug(`PASSED (not denied) address=${address}`)
      return "allowed"
    }
    return "unlisted"
  }

  /** pyzmq `_authenticate_plain`, but the password is never logged. */
  authenticatePlain(domain: string, username: string, password: string): Verdict {
    const table = this.passwords.get(domain)
    const known = table === undefined ? undefined : lookupString(table, username)
    const verdict =
      this.passwords.size === 0
        ? refused("No passwords defined")
        : table === undefined
          ? refused("Invalid domain")
          : known === undefined
            ? refused("Invalid username")
            : known === password
              ? ALLOWED
              : refused("Invalid password")
    this.log.debug(
      verdict === ALLOWED
        ? `ALLOWED (PLAIN) domain=${domain} username=${username}`
        : `DENIED (PLAIN) ${verdict.statusText} domain=${domain} username=${username}`,
    )
    return verdict
  }

  /** pyzmq `_authenticate_curve`: any key, else the providers (if any), else the certificate directories. */
  async authenticateCurve(domain: string, key: Buffer): Promise<Verdict> {
    if (this.allowAny) {
      this.log.debug("ALLOWED (CURVE allow any client)")
      return ALLOWED
    }
    const clientKey = z85Encode(key)
    const how = this.credentialsProviders.size > 0 ? "CURVE auth_callback" : "CURVE"
    const known =
      how === "CURVE" ? this.certs.get(domain)?.has(clientKey) : await this.askProvider(domain, clientKey)
    if (known === null) return INTERNAL_ERROR
    if (known === undefined) {
      this.log.debug(`DENIED (${how}) unknown domain=${domain}`)
      return refused("Unknown domain")
    }
    this.log.debug(`${known ? "ALLOWED" : "DENIED"} (${how}) domain=${domain} client_key=${clientKey}`)
    return known ? ALLOWED : refused("Unknown key")
  }

  /** The provider's answer; `undefined` when `domain` has none, `null` when it failed (already reported). */
  private async askProvider(domain: string, clientKey: string): Promise<boolean | null | undefined> {
    const provider = this.credentialsProviders.get(domain)
    if (provider === undefined) return undefined
    try {
      const answer = provider.callback(domain, clientKey)
      return Boolean(isThenable(answer) ? await answer : answer)
    } catch (error) {
      this.funnel.fail(provider.callback, error)
      return null
    }
  }
}
