// Finding, building and loading the native addon (src/native/loader.ts, native/build.mjs): the committed
// prebuild matches the sources, the loader's order (prebuild, source build, fallback), its one-line
// reasons and its NODE_DEBUG traces. Builds run the real compiler into temporary folders.
import t from "tap"
import { spawnSync } from "node:child_process"
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { IOLoop } from "../src/index.js"
import { buildAddon, nativeSourceHash, prebuildPath, sourceBuildPath } from "../native/build.mjs"
import {
  addonCandidates,
  fallbackWarning,
  loadAddon,
  loadAddonFrom,
  SOURCE_BUILD_COMMAND,
  type AddonCandidate,
} from "../src/native/loader.js"
import { CHILD_NODE } from "./helpers/child-node.js"

const packageRoot = fileURLToPath(new URL("..", import.meta.url))
const [prebuild] = addonCandidates({})
const platform = `${process.platform}-${process.arch}`
const noPrebuild = existsSync(prebuild!.path) ? false : `no prebuild for ${platform} in this package`
// The workspace needs no compiler (README "Set up"): the tests that build an addon skip without one.
const compiler = ["gcc", "cc"].find((name) => spawnSync(name, ["--version"]).error === undefined)
const noCompiler = compiler === undefined ? "no C compiler on PATH (tried gcc, cc)" : false

const dir = mkdtempSync(join(tmpdir(), "zmq-eventloop-addon-"))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

t.test(
  "the committed prebuild was built from the current native sources",
  { skip: noPrebuild },
  async (t) => {
    const loaded = loadAddonFrom([prebuild!])
    if (loaded instanceof Error) return t.fail(loaded.message)
    t.equal(
      loaded.exports.sourceHash,
      nativeSourceHash(),
      "native/*.c or *.h changed since the prebuild was made: run `pnpm run prebuilds` at the workspace root " +
        `and commit packages/ioloop/prebuilds/${platform}/`,
    )
  },
)

t.test("the workspace runs on the committed prebuild", { skip: noPrebuild }, async (t) => {
  const loaded = loadAddon()
  if (loaded instanceof Error) return t.fail(loaded.message)
  t.equal(loaded.origin, "prebuild")
  t.equal(loaded.path, prebuild!.path)
  t.equal(loadAddon(), loaded, "loaded once")
  // tornado TestIOLoopConfiguration.test_default: the default is the best poller the platform has
  const loop = new IOLoop({ makeCurrent: false })
  t.teardown(() => loop.close())
  t.equal(loop.pollerKind, "fd", "a loop made with no options uses the fd poller")
})

t.test(
  "the loader tries the prebuild, then the source build, where the build scripts put them",
  async (t) => {
    t.same(addonCandidates({}), [
      { origin: "prebuild", path: prebuildPath() },
      { origin: "source build", path: sourceBuildPath },
    ])
    t.equal(addonCandidates({}, "linux", "arm64")[0]!.path, prebuildPath("linux", "arm64"))
    t.same(addonCandidates({ ZMQ_EVENTLOOP_ADDON: "elsewhere.node" }), [
      { origin: "ZMQ_EVENTLOOP_ADDON", path: resolve("elsewhere.node") },
    ])
  },
)

t.test(
  "without a prebuild the source build loads, carrying the sources' hash",
  { skip: noCompiler },
  async (t) => {
    const output = join(dir, "source", "zmq_eventloop.node")
    t.equal(buildAddon(output), null)
    const loaded = loadAddonFrom([
      { origin: "prebuild", path: join(dir, "prebuilds", "none.node") },
      { origin: "source build", path: output },
    ])
    if (loaded instanceof Error) return t.fail(loaded.message)
    t.equal(loaded.origin, "source build")
    t.equal(loaded.exports.sourceHash, nativeSourceHash())
    t.equal(typeof loaded.exports.FdWatcher, "function")
    t.same(readdirSync(join(dir, "source")), ["zmq_eventloop.node"], "no temporary file left")
  },
)

t.test(
  "when nothing loads, one line names each file, why, and the command that builds one",
  { skip: noCompiler },
  async (t) => {
    const empty = join(dir, "empty-addon.node")
    const fixture = fileURLToPath(new URL("fixtures/empty-addon.c", import.meta.url))
    const headers = join(process.execPath, "..", "..", "include", "node")
    const compiled = spawnSync(compiler!, ["-shared", "-fPIC", `-I${headers}`, "-o", empty, fixture], {
      encoding: "utf8",
    })
    t.equal(compiled.status, 0, compiled.stderr)
    const candidates: AddonCandidate[] = [
      { origin: "prebuild", path: join(packageRoot, "prebuilds", "nowhere-x64", "zmq_eventloop.node") },
      { origin: "source build", path: join(packageRoot, "package.json") },
      { origin: "ZMQ_EVENTLOOP_ADDON", path: empty },
    ]
    const failure = loadAddonFrom(candidates)
    if (!(failure instanceof Error)) return t.fail(`loaded ${failure.path}`)
    t.notMatch(failure.message, "\n")
    t.match(failure.message, "prebuild prebuilds/nowhere-x64/zmq_eventloop.node: not found; ")
    t.match(failure.message, /source build package\.json: .*invalid ELF header; /)
    t.match(failure.message, `ZMQ_EVENTLOOP_ADDON ${empty}: does not export FdWatcher and sourceHash`)
    t.match(failure.message, `; build one with \`${SOURCE_BUILD_COMMAND}\`, or, in a bundle, name the `)
    t.match(failure.message, /prebuilds\/<platform>-<arch>\/zmq_eventloop\.node in ZMQ_EVENTLOOP_ADDON$/)

    const warning = fallbackWarning(failure)
    t.match(warning, `native fd watcher unavailable (${failure.message}); using the interval poller`)
    t.match(
      warning,
      /costs CPU while messages flow and ~0.15 ms a round trip/,
      "says what the fallback costs",
    )
  },
)

t.test("a build that cannot happen says why in one line and leaves no file", async (t) => {
  const output = join(dir, "failed", "zmq_eventloop.node")
  const emptyPath = join(dir, "empty-path")
  const junkCompiler = join(dir, "junk-cc")
  writeFileSync(
    junkCompiler,
    '#!/bin/sh\nwhile [ "$1" != "-o" ]; do shift; done\necho "not an ELF file" > "$2"\n',
  )
  chmodSync(junkCompiler, 0o755)
  t.equal(buildAddon(output, { PATH: emptyPath }), "no C compiler found (tried gcc, cc on PATH)")
  t.equal(buildAddon(output, { ...process.env, CC: "false" }), "false failed: exit status 1")
  t.match(buildAddon(output, { ...process.env, CC: junkCompiler }), /^the built addon does not load: .*\S$/)
  t.equal(
    buildAddon(output, { ...process.env, npm_config_nodedir: "/nonexistent" }),
    "no Node headers in /nonexistent/include/node",
  )
  t.same(readdirSync(join(dir, "failed")), [], "nothing left behind")
})

t.test("NODE_DEBUG=zmq-eventloop traces each file tried and the outcome", async (t) => {
  const index = JSON.stringify(new URL("../dist/index.js", import.meta.url).href)
  const script = `
    import { IOLoop } from ${index}
    let forced = ""
    try { new IOLoop({ makeCurrent: false, poller: "fd" }) } catch (error) { forced = error.message }
    console.log(JSON.stringify(forced))
  `
  const run = (env: NodeJS.ProcessEnv) =>
    spawnSync(CHILD_NODE, ["--input-type=module", "-e", script], {
      encoding: "utf8",
      env: { ...process.env, NODE_DEBUG: "zmq-eventloop", ...env },
      timeout: 60_000,
    })

  const missing = join(dir, "missing.node")
  const fallback = run({ ZMQ_EVENTLOOP_ADDON: missing })
  t.equal(fallback.status, 0, fallback.stderr)
  t.match(fallback.stderr, `addon: ZMQ_EVENTLOOP_ADDON ${missing} not loaded: not found`)
  t.match(fallback.stderr, "addon: none loaded; the IOLoop falls back to the interval poller")
  const forced = JSON.parse(fallback.stdout) as string
  t.match(forced, `ZMQ_EVENTLOOP_ADDON ${missing}: not found; build one with \`${SOURCE_BUILD_COMMAND}\``)
  t.notMatch(forced, "\n", "poller: 'fd' fails with one line")

  if (noPrebuild) return
  const normal = run({ ZMQ_EVENTLOOP_ADDON: "" })
  t.equal(normal.status, 0, normal.stderr)
  t.equal(normal.stdout.trim(), '""', "the fd poller loads")
  t.match(normal.stderr, `addon: prebuild ${prebuild!.path} loaded (sourceHash `)
})
