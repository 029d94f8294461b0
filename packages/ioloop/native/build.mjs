// Compiles the native addon: every native/*.c into one zmq_eventloop.node, with one compiler call against
// the running Node's own headers (no node-gyp, no download; about 0.2 s). Nothing runs at install time:
// `zmq-eventloop-build` (bin/) makes a source build, `pnpm run prebuilds` (native/prebuild.mjs) the
// prebuild shipped in the package, and src/native/loader.ts loads whichever is there.
//
// The binary carries the hash of the sources it was built from (exported by the addon as `sourceHash`),
// so a test can tell that a committed prebuild no longer matches native/*.c.
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

export const packageRoot = dirname(dirname(fileURLToPath(import.meta.url)))
const nativeDir = join(packageRoot, "native")

/** Where `zmq-eventloop-build` puts a source build (src/native/loader.ts looks there too). */
export const sourceBuildPath = join(nativeDir, "build", "zmq_eventloop.node")

/** Where the prebuild for a platform lives in the package (src/native/loader.ts looks there first). */
export function prebuildPath(platform = process.platform, arch = process.arch) {
  return join(packageRoot, "prebuilds", `${platform}-${arch}`, "zmq_eventloop.node")
}

/** The files the addon is built from, sorted: every native/*.c and native/*.h. */
export function nativeSources() {
  return readdirSync(nativeDir)
    .filter((name) => /\.[ch]$/.test(name))
    .sort()
    .map((name) => join(nativeDir, name))
}

/** sha256 of the native sources (each file's name and bytes), the addon's `sourceHash`. */
export function nativeSourceHash() {
  const hash = createHash("sha256")
  for (const file of nativeSources()) {
    hash.update(`${file.slice(nativeDir.length + 1)}\0`)
    hash.update(readFileSync(file))
    hash.update("\0")
  }
  return hash.digest("hex")
}

/** Debian's gcc cross compilers (`gcc-<triple>` packages), by Node's name of the architecture they target. */
export const crossCompilers = { arm64: "aarch64-linux-gnu-gcc", x64: "x86_64-linux-gnu-gcc" }

/**
 * Builds the addon at `output`. Returns `null` on success, else the reason in one line. A failed build
 * leaves no file behind and does not touch an existing one; the addon is loaded once before it is moved
 * into place, so one that compiles but cannot load is never installed.
 * @param {string} output
 * @param {NodeJS.ProcessEnv} env where the compiler (`CC`, else `gcc`, else `cc`, on `PATH`) and the Node
 *   headers (`npm_config_nodedir`, the setting node-gyp honours) are looked up
 * @param {string} arch the architecture to build for: another than this machine's is cross-compiled with
 *   {@link crossCompilers}' compiler, and not loaded (node-api's headers are the same for all)
 */
export function buildAddon(output, env = process.env, arch = process.arch) {
  if (process.platform === "win32") return "not supported on Windows"

  // The headers of the Node that runs this, <prefix>/include/node beside <prefix>/bin/node.
  const nodedir = env.npm_config_nodedir || dirname(dirname(process.execPath))
  const headers = join(nodedir, "include", "node")
  if (!existsSync(join(headers, "node_api.h"))) return `no Node headers in ${headers}`

  const flags = ["-O2", "-shared", "-fPIC", "-Wall", "-Wextra", `-I${headers}`]
  flags.push(`-DZMQ_EVENTLOOP_SOURCE_HASH="${nativeSourceHash()}"`)
  // macOS links shared objects with all symbols resolved; the N-API ones come from node at load.
  if (process.platform === "darwin") flags.push("-undefined", "dynamic_lookup")
  const sources = nativeSources().filter((file) => file.endsWith(".c"))

  // Compile to a temporary name, then rename: a rebuild never overwrites a file a process has loaded.
  mkdirSync(dirname(output), { recursive: true })
  const temporary = `${output}.${process.pid}.tmp`
  const cross = arch !== process.arch
  if (cross && !crossCompilers[arch]) return `no cross compiler known for ${arch}`
  const compilers = cross ? [crossCompilers[arch]] : [...new Set([env.CC, "gcc", "cc"].filter(Boolean))]
  let failure = `no C compiler found (tried ${compilers.join(", ")} on PATH)`
  for (const compiler of compilers) {
    const result = spawnSync(compiler, [...flags, "-o", temporary, ...sources], { encoding: "utf8", env })
    if (result.error?.code === "ENOENT") continue
    if (result.status !== 0) {
      const firstError = (result.stderr || String(result.error))
        .split("\n")
        .find((line) => /error/i.test(line))
      failure = `${compiler} failed: ${(firstError || `exit status ${result.status}`).trim()}`
      break
    }
    try {
      if (!cross) process.dlopen({ exports: {} }, temporary)
    } catch (error) {
      failure = `the built addon does not load: ${error.message.split("\n")[0]}`
      break
    }
    renameSync(temporary, output)
    return null
  }
  rmSync(temporary, { force: true })
  return failure
}
