/**
 * Whether this env may use the native data path, decided once when the module loads (top-level
 * await: the self-test needs a round trip through zeromq.js's promises). Any doubt means no: the
 * streams then use the zeromq.js data path, and {@link nativeDataPathRefusal} says why.
 * @module
 */
import { createRequire } from "node:module"
import type * as Zmq from "zeromq"
import { debug } from "../logger.js"
import { loadDataPathAddon, type DataPathAddon } from "./addon.js"
import { runSelfTest } from "./self-test.js"

/** Why the native data path is not used (for an env, or for one socket). */
export interface DataPathRefusal {
  readonly reason: string
}

/** What the native data path runs on once the checks passed. */
export interface NativeDataPathSupport {
  readonly addon: DataPathAddon
  /** The zeromq package this package resolves, whose version and sockets were checked. */
  readonly zeromq: typeof Zmq
}

/**
 * Whether the addon's offsets hold for this zeromq.js version: the layout of zeromq.js's
 * `zmq::Socket` was verified for 6.8.x only (see the README, "How it works: the native data path").
 */
export function isVerifiedZeromqVersion(version: string): boolean {
  return /^6\.8\.\d+$/.test(version)
}

/** The checks, cheapest first. Never throws: every failure is a refusal. */
export async function checkNativeDataPath(
  env: NodeJS.ProcessEnv = process.env,
  addon: DataPathAddon | Error = loadDataPathAddon(),
): Promise<NativeDataPathSupport | DataPathRefusal> {
  if (env.ZMQ_EVENTLOOP_NATIVE === "0") return { reason: "ZMQ_EVENTLOOP_NATIVE=0" }
  if (addon instanceof Error) return { reason: `no native data path in the addon: ${addon.message}` }
  let zeromq: typeof Zmq
  let version: string
  try {
    const require = createRequire(import.meta.url)
    zeromq = require("zeromq") as typeof Zmq
    version = (require("zeromq/package.json") as { version: string }).version
  } catch (error) {
    return { reason: `zeromq cannot be loaded: ${(error as Error).message}` }
  }
  if (!isVerifiedZeromqVersion(version))
    return { reason: `zeromq ${version} is not a version whose layout was verified (6.8.x)` }
  const failure = await runSelfTest(zeromq, addon)
  if (failure !== null) return { reason: `self-test failed: ${failure}` }
  return { addon, zeromq }
}

const support = await checkNativeDataPath()
debug("native data path: %s", "reason" in support ? `off (${support.reason})` : "on")

/** The addon and zeromq module when this env uses the native data path, else why not. */
export function nativeDataPathSupport(): NativeDataPathSupport | DataPathRefusal {
  return support
}

/** Why this env does not use the native data path, or `null` when it does. */
export function nativeDataPathRefusal(): string | null {
  return "reason" in support ? support.reason : null
}
