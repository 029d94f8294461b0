/**
 * Finding and loading the native addon, `zmq_eventloop.node` (built from `native/*.c`): the one place that
 * does. Nothing is built at install time; the loader tries, in order:
 *
 * 1. the prebuild shipped in the package, `prebuilds/<platform>-<arch>/zmq_eventloop.node` (linux-x64,
 *    glibc; one N-API binary serves every Node ≥ 20);
 * 2. a source build, `native/build/zmq_eventloop.node`, made by the explicit `zmq-eventloop-build`
 *    command on platforms without a prebuild (or where it does not load);
 * 3. nothing: the caller falls back to the interval poller, with {@link fallbackWarning}.
 *
 * `ZMQ_EVENTLOOP_ADDON=<file>` replaces that list with one file (a missing one gives the fallback, which
 * the tests use). `NODE_DEBUG=zmq-eventloop` traces each file tried and the outcome.
 * @module
 */
import { existsSync } from "node:fs"
import { relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { debug } from "../logger.js"
import { haveSpareFds } from "./fd-headroom.js"

/**
 * What the addon exports, as loaded: the loader checks only what tells an addon of this version apart.
 * Each part's shape is declared by the module that uses it (`fd-watcher.ts`, `fd-set.ts`, `addon.ts`), which imports
 * this one, never the other way round.
 */
export interface NativeAddon {
  /** The fd watcher class (`native/fd_watcher.c`), checked to be a function; see `fd-watcher.ts`. */
  readonly FdWatcher: Function
  /** The fd set's functions (`native/fd_set.c`), on Linux; see `fd-set.ts`. */
  readonly fdSet: unknown
  /** sha256 of the `native/*.c` and `*.h` files the binary was built from (`native/build.mjs`). */
  readonly sourceHash: string
  /** The native data path (`native/data_path*.c`), on the platforms whose zeromq.js layout was verified; see `addon.ts`. */
  readonly dataPath: unknown
}

/** Where an addon file comes from. */
export type AddonOrigin = "prebuild" | "source build" | "ZMQ_EVENTLOOP_ADDON"

/** One file the loader tries. */
export interface AddonCandidate {
  readonly origin: AddonOrigin
  /** Absolute path of the `.node` file. */
  readonly path: string
}

/** The addon that loaded, and which file it came from. */
export interface LoadedAddon extends AddonCandidate {
  readonly exports: NativeAddon
}

/** The command that builds the addon from source in a project that installed the package. */
export const SOURCE_BUILD_COMMAND = "npx zmq-eventloop-build"

// The package root: this file is in src/native/ (tests) or dist/native/ (installed), both two levels down.
// null where import.meta.url is empty (a CommonJS bundle made without a shim for it): there is no package
// folder to look in then, only ZMQ_EVENTLOOP_ADDON.
const packageRoot: string | null =
  typeof import.meta.url === "string" ? fileURLToPath(new URL("../..", import.meta.url)) : null

/**
 * The files to try, in order, for this process (see the module comment). `native/build.mjs` writes
 * to the same two paths.
 */
export function addonCandidates(
  env: NodeJS.ProcessEnv = process.env,
  platform: string = process.platform,
  arch: string = process.arch,
): AddonCandidate[] {
  if (env.ZMQ_EVENTLOOP_ADDON)
    return [{ origin: "ZMQ_EVENTLOOP_ADDON", path: resolve(env.ZMQ_EVENTLOOP_ADDON) }]
  if (packageRoot === null) return []
  return [
    {
      origin: "prebuild",
      path: resolve(packageRoot, "prebuilds", `${platform}-${arch}`, "zmq_eventloop.node"),
    },
    { origin: "source build", path: resolve(packageRoot, "native", "build", "zmq_eventloop.node") },
  ]
}

let cached: LoadedAddon | Error | undefined

// Opening the addon takes a file descriptor (dlopen). A load that failed while fewer than this many could
// be opened is not kept: the process was at its fd limit, which passes.
const LOAD_FDS = 4

/**
 * The addon, from the first of {@link addonCandidates} that loads, or an `Error` whose one-line message
 * names each file tried, why it did not load, and the command that fixes it. Loads once; later calls
 * return the same result, unless the load failed while the process was out of file descriptors: the next
 * call tries again.
 */
export function loadAddon(): LoadedAddon | Error {
  if (cached !== undefined) return cached
  const loaded = loadAddonFrom(addonCandidates())
  if (loaded instanceof Error && !haveSpareFds(LOAD_FDS)) {
    return new Error(
      "the process is out of file descriptors, so the addon could not be opened; the next IOLoop tries again",
    )
  }
  cached = loaded
  return loaded
}

/** {@link loadAddon} from the given files, uncached (for tests). */
export function loadAddonFrom(candidates: readonly AddonCandidate[]): LoadedAddon | Error {
  if (candidates.length === 0) {
    return new Error(
      "no package folder to look in (import.meta.url is empty: a CommonJS bundle?); set ZMQ_EVENTLOOP_ADDON to the addon's path",
    )
  }
  const failures: string[] = []
  for (const candidate of candidates) {
    const loaded = loadCandidate(candidate)
    if (typeof loaded !== "string") {
      debug(
        "addon: %s %s loaded (sourceHash %s)",
        candidate.origin,
        candidate.path,
        loaded.exports.sourceHash,
      )
      return loaded
    }
    debug("addon: %s %s not loaded: %s", candidate.origin, candidate.path, loaded)
    const shown =
      packageRoot === null || candidate.origin === "ZMQ_EVENTLOOP_ADDON"
        ? candidate.path
        : relative(packageRoot, candidate.path)
    failures.push(`${candidate.origin} ${shown}: ${loaded}`)
  }
  debug("addon: none loaded; the IOLoop falls back to the interval poller")
  return new Error(
    `${failures.join("; ")}; build one with \`${SOURCE_BUILD_COMMAND}\`, or, in a bundle, name the ` +
      "package's prebuilds/<platform>-<arch>/zmq_eventloop.node in ZMQ_EVENTLOOP_ADDON",
  )
}

/** The loaded addon, or why it did not load, in one line (dlopen's first line, not a require stack). */
function loadCandidate(candidate: AddonCandidate): LoadedAddon | string {
  if (!existsSync(candidate.path)) return "not found"
  const module = { exports: {} as Partial<Record<keyof NativeAddon, unknown>> }
  try {
    process.dlopen(module, candidate.path)
  } catch (error) {
    return String((error as Error).message).split("\n")[0]!
  }
  const { FdWatcher, fdSet, sourceHash, dataPath } = module.exports
  if (typeof FdWatcher !== "function" || typeof sourceHash !== "string") {
    return "does not export FdWatcher and sourceHash (an addon from another version?)"
  }
  return {
    ...candidate,
    exports: { FdWatcher, fdSet, sourceHash, dataPath },
  }
}

/**
 * The warning logged once per process when `poller: "auto"` falls back to the interval poller: why, the
 * cost, and (inside `reason`, from {@link loadAddon}) the command that fixes it. The cost was measured with
 * `node bench/micro/interval-poller.mjs` (a round trip between two processes: 0.27-0.28 ms against ~0.14 on
 * the fd poller) and a loop receiving a message every 1 ms (41 % of a core against 11 %), on 2 cores.
 */
export function fallbackWarning(reason: Error): string {
  return (
    `zmq-eventloop: native fd watcher unavailable (${reason.message}); using the interval poller, ` +
    "which costs CPU while messages flow and ~0.15 ms a round trip between processes"
  )
}
