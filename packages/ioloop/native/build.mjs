// Builds native/build/fd_watcher.node from every native/*.c (one addon), offline, at install time
// ("install": "node native/build.mjs"). One compiler call against the running Node's own headers:
// no node-gyp, no download. It never fails the install: if anything is missing or the compile
// fails it prints one warning line and exits 0, and the IOLoop falls back to the interval poller.
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const packageRoot = dirname(dirname(fileURLToPath(import.meta.url)))
const sources = readdirSync(join(packageRoot, "native"))
  .filter((name) => name.endsWith(".c"))
  .map((name) => join(packageRoot, "native", name))
const output = join(packageRoot, "native", "build", "fd_watcher.node")

function build() {
  if (process.platform === "win32") return "not supported on Windows"

  // The headers of the Node that runs this script, so the addon matches it: npm_config_nodedir
  // (the same setting node-gyp honours), else <prefix>/include/node beside <prefix>/bin/node.
  const nodedir = process.env.npm_config_nodedir || dirname(dirname(process.execPath))
  const headers = join(nodedir, "include", "node")
  if (!existsSync(join(headers, "node_api.h"))) return `no Node headers in ${headers}`

  const flags = ["-O2", "-shared", "-fPIC", "-Wall", "-Wextra", `-I${headers}`]
  // macOS links shared objects with all symbols resolved; the N-API ones come from node at load.
  if (process.platform === "darwin") flags.push("-undefined", "dynamic_lookup")

  // Compile to a temporary name, then rename: a failed build leaves no half-written addon, and a
  // rebuild does not overwrite a file another process may have loaded.
  mkdirSync(dirname(output), { recursive: true })
  const temporary = `${output}.${process.pid}.tmp`
  const compilers = [...new Set([process.env.CC, process.env.cc, "gcc", "cc"].filter(Boolean))]
  let failure = "no C compiler found (tried " + compilers.join(", ") + ")"
  for (const compiler of compilers) {
    const result = spawnSync(compiler, [...flags, "-o", temporary, ...sources], { encoding: "utf8" })
    if (result.error?.code === "ENOENT") continue
    if (result.status !== 0) {
      const firstError = (result.stderr || String(result.error))
        .split("\n")
        .find((line) => /error/i.test(line))
      failure = `${compiler} failed: ${(firstError || `exit status ${result.status}`).trim()}`
      break
    }
    // Load it once so an addon that compiles but cannot load (wrong headers) is not installed.
    try {
      process.dlopen({ exports: {} }, temporary)
    } catch (error) {
      failure = `built addon does not load: ${error.message.split("\n")[0]}`
      break
    }
    renameSync(temporary, output)
    return null
  }
  rmSync(temporary, { force: true })
  return failure
}

let reason
try {
  reason = build()
} catch (error) {
  reason = error instanceof Error ? error.message : String(error)
}
if (reason === null) {
  console.log(`@zmq-eventloop/ioloop: native fd watcher built (${output})`)
} else {
  console.warn(
    `@zmq-eventloop/ioloop: native fd watcher not built (${reason}); the IOLoop will use the interval poller`,
  )
}
