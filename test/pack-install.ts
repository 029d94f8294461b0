// The packages install as a user gets them: `pnpm pack` each workspace package, install the tarballs into
// an empty project outside the workspace with npm and with pnpm, on a PATH with no C compiler, approving
// only zeromq's own install script (as every user of zeromq must), then import each package and use it.
// The ioloop package ships its addon prebuilt, so the loop runs on the fd poller without a build step; a
// project whose platform has no prebuild gets the fallback warning, and `zmq-eventloop-build` fixes it.
// Offline-friendly: zeromq is the workspace's own version, fetched from the pnpm store and the npm cache.
import t, { type Test } from "tap"
import { execFileSync, spawnSync, type SpawnSyncReturns } from "node:child_process"
import * as fs from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { makeProject, packWorkspacePackages, root } from "./helpers/workspace-packages.js"

const zeromqVersion = (
  JSON.parse(fs.readFileSync(join(root, "packages", "ioloop", "package.json"), "utf8")) as {
    devDependencies: Record<string, string>
  }
).devDependencies.zeromq!

const dir = fs.mkdtempSync(join(tmpdir(), "zmq-eventloop-pack-"))
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))

// The tarballs, by package name, as `file:` specs relative to a project folder inside `dir`.
const tarballs = packWorkspacePackages(dir)

// A bin folder holding only what installing needs: node, npm, npx, pnpm and the sh that runs zeromq's
// install script. No gcc, no cc, and CC names a file that does not exist.
const bin = join(dir, "bin")
fs.mkdirSync(bin)
for (const tool of ["npm", "npx", "pnpm", "sh"]) {
  const found = execFileSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).trim()
  fs.symlinkSync(fs.realpathSync(found), join(bin, tool))
}
fs.symlinkSync(process.execPath, join(bin, "node"))
const storeDir = execFileSync("pnpm", ["store", "path"], { cwd: root, encoding: "utf8" }).trim()
const noCompilerEnv: NodeJS.ProcessEnv = {
  HOME: process.env.HOME,
  PATH: bin,
  CC: join(dir, "no-such-cc"),
}

/** A project folder with this package.json (and these extra files). */
function project(name: string, manifest: object, files: Record<string, string> = {}): string {
  return makeProject(dir, name, manifest, files)
}

function run(command: string, args: string[], cwd: string, env = noCompilerEnv): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env, encoding: "utf8", timeout: 120_000 })
}

/** Runs `code` as an ES module in `app`; returns what it printed. */
function runModule(
  t: Test,
  app: string,
  code: string,
  env = noCompilerEnv,
): { stdout: string; stderr: string } {
  const result = run(process.execPath, ["--input-type=module", "-e", code], app, env)
  t.equal(result.status, 0, "the module runs", { stderr: result.stderr })
  return { stdout: result.stdout.trim(), stderr: result.stderr }
}

const ioloopKind = `
  import { IOLoop } from "@zmq-eventloop/ioloop"
  const loop = new IOLoop({ makeCurrent: false })
  console.log(loop.pollerKind)
`

// A TypeScript user's first file: every package's main types, and a stream callback typed from them.
const typeScriptConsumer = `
import * as zmq from "zeromq"
import { IOLoop, PeriodicCallback } from "@zmq-eventloop/ioloop"
import { ZMQStream } from "@zmq-eventloop/zmqstream"
import { ExceptionStackContext } from "@zmq-eventloop/stack-context"
import { IOLoopAuthenticator } from "@zmq-eventloop/auth"

const loop = new IOLoop({ makeCurrent: false })
const stream = new ZMQStream(new zmq.Router(), loop)
stream.onRecv((msg) => stream.sendMultipart(msg.map((frame) => frame.toString("utf8").toUpperCase())))
export const parts: Array<unknown> = [PeriodicCallback, ExceptionStackContext, IOLoopAuthenticator, stream]
`

/** The checks every installed project passes: each package imports and works, on the fd poller. */
function usePackages(t: Test, app: string): void {
  t.equal(
    runModule(
      t,
      app,
      `
      import { ExceptionStackContext, wrap } from "@zmq-eventloop/stack-context"
      let seen
      const later = new ExceptionStackContext((error) => { seen = error.message; return true }).run(() =>
        wrap(() => { throw new Error("caught") }))
      later()
      console.log(seen)
    `,
    ).stdout,
    "caught",
    "stack-context imports and works",
  )
  const traced = runModule(t, app, ioloopKind, { ...noCompilerEnv, NODE_DEBUG: "zmq-eventloop" })
  t.equal(traced.stdout, "fd", "the loop runs on the fd poller")
  t.match(traced.stderr, /addon: prebuild \S+\/prebuilds\/linux-x64\/zmq_eventloop\.node loaded/)
  t.equal(
    runModule(
      t,
      app,
      `
      import { IOLoop } from "@zmq-eventloop/ioloop"
      import { ZMQStream } from "@zmq-eventloop/zmqstream"
      import * as zmq from "zeromq"
      const loop = new IOLoop()
      const server = new ZMQStream(new zmq.Router(), loop)
      const port = await server.bindToRandomPort("tcp://127.0.0.1")
      server.onRecv(([id, text]) => server.sendMultipart([id, String(text).toUpperCase()]))
      const client = new ZMQStream(new zmq.Dealer(), loop)
      client.connect("tcp://127.0.0.1:" + port)
      client.onRecv(([reply]) => { console.log(loop.pollerKind, server.dataPath, String(reply)); loop.stop() })
      client.sendString("hello")
      await loop.start()
      server.close(0); client.close(0); loop.close()
    `,
    ).stdout,
    "fd native HELLO",
    "zmqstream imports and runs a round trip on the fd poller",
  )
  t.equal(
    runModule(t, app, fs.readFileSync(join(root, "packages/auth/examples/curve.mjs"), "utf8")).stdout,
    "client: Hello World; stranger: refused (400)",
    "auth imports and its README example admits the known CURVE client and refuses the stranger",
  )
}

const dependencies = { ...tarballs, zeromq: zeromqVersion }
const supported = process.platform === "linux" && process.arch === "x64"
const skip = supported ? false : `the prebuild is for linux-x64, this is ${process.platform}-${process.arch}`

t.test("no C compiler is reachable from the install PATH", async (t) => {
  for (const compiler of ["gcc", "cc", noCompilerEnv.CC!]) {
    t.equal(run(compiler, ["--version"], dir).error?.message, `spawnSync ${compiler} ENOENT`)
  }
})

t.test(
  "npm installs the tarballs with no build step, and the loop runs on the fd poller",
  { skip },
  async (t) => {
    // allowScripts: npm's approval of dependencies' install scripts; only zeromq's is approved.
    const app = project("npm-app", { dependencies, overrides: tarballs, allowScripts: { zeromq: true } })
    const installed = run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], app)
    t.equal(installed.status, 0, "npm install succeeds", { stderr: installed.stderr })
    t.notMatch(installed.stderr, "allowScripts", "no other package has an install script to approve")
    usePackages(t, app)

    t.test("TypeScript finds every package's types, whatever the project's module resolution", async (t) => {
      // node10 (a CommonJS project's classic setting) reads no "exports": ioloop's "internal" entry, which
      // zmqstream's and auth's declarations import, is found through "typesVersions".
      fs.writeFileSync(join(app, "consumer.ts"), typeScriptConsumer)
      const tsc = join(root, "node_modules", "typescript", "bin", "tsc")
      const typeRoots = join(root, "node_modules", "@types")
      for (const [resolution, module] of [
        ["node10", "commonjs"],
        ["node16", "node16"],
        ["nodenext", "nodenext"],
        ["bundler", "esnext"],
      ] as const) {
        const checked = run(
          process.execPath,
          [
            tsc,
            "--noEmit",
            "--strict",
            "--target",
            "es2022",
            "--module",
            module,
            "--moduleResolution",
            resolution,
            "--typeRoots",
            typeRoots,
            "--types",
            "node",
            "consumer.ts",
          ],
          app,
        )
        t.equal(checked.status, 0, `moduleResolution ${resolution}: no type error`, {
          stdout: checked.stdout,
        })
      }
    })

    t.test("the packages hold no install script and ship every file their source maps name", async (t) => {
      const installHooks: string[] = []
      const missing: string[] = []
      let references = 0
      for (const name of Object.keys(tarballs)) {
        const folder = join(app, "node_modules", name)
        const manifest = JSON.parse(fs.readFileSync(join(folder, "package.json"), "utf8")) as {
          scripts?: Record<string, string>
        }
        for (const hook of ["preinstall", "install", "postinstall", "prepare"]) {
          if (manifest.scripts?.[hook] !== undefined) installHooks.push(`${name} ${hook}`)
        }
        // Each dist file's sourceMappingURL, and each map's sources (the .ts files under src/).
        const dist = join(folder, "dist")
        const files = fs.readdirSync(dist, { recursive: true, encoding: "utf8" })
        for (const file of files.filter((path) => /\.(js|d\.ts)$/.test(path))) {
          const mapName = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(
            fs.readFileSync(join(dist, file), "utf8"),
          )?.[1]
          if (mapName === undefined) continue
          const here = dirname(join(dist, file)) // a map and its sources are named relative to the file
          const named = [mapName]
          if (fs.existsSync(join(here, mapName))) {
            named.push(
              ...(JSON.parse(fs.readFileSync(join(here, mapName), "utf8")) as { sources: string[] }).sources,
            )
          }
          references += named.length
          missing.push(
            ...named.filter((path) => !fs.existsSync(join(here, path))).map((path) => `${name}: ${path}`),
          )
        }
      }
      t.same(installHooks, [], "no install script")
      t.ok(references > 0, "the dist files name their source maps")
      t.same(missing, [], `every one of the ${references} files named by a source map reference is shipped`)
    })

    t.test("every examples/ file a package's README names is in the package", async (t) => {
      const missing: string[] = []
      let named = 0
      for (const name of Object.keys(tarballs)) {
        const folder = join(app, "node_modules", name)
        const readme = fs.readFileSync(join(folder, "README.md"), "utf8")
        // `examples/echo.mjs` and the like; links into the repository's own examples (../../examples/) excluded
        for (const [, path] of readme.matchAll(/(?<![./\w])(examples\/[\w-]+\.mjs)/g)) {
          named++
          if (!fs.existsSync(join(folder, path!))) missing.push(`${name}: ${path}`)
        }
      }
      t.ok(named > 0, "the READMEs name their examples")
      t.same(missing, [], `all ${named} are shipped (node examples/<file> runs from the installed package)`)
    })

    t.test(
      "without a usable prebuild the loop warns and falls back; zmq-eventloop-build fixes it",
      async (t) => {
        const ioloop = join(app, "node_modules", "@zmq-eventloop", "ioloop")
        fs.rmSync(join(ioloop, "prebuilds"), { recursive: true })
        const fallback = runModule(t, app, ioloopKind)
        t.equal(fallback.stdout, "interval")
        t.match(fallback.stderr, "prebuild prebuilds/linux-x64/zmq_eventloop.node: not found")
        t.match(fallback.stderr, "build one with `npx zmq-eventloop-build`", "the warning names the fix")

        const refused = run("npx", ["zmq-eventloop-build"], app)
        t.equal(refused.status, 1, "no compiler: the build fails")
        t.match(refused.stderr, "zmq-eventloop-build: not built: no C compiler found")

        const withCompiler = { ...noCompilerEnv, PATH: `${bin}:/usr/bin:/bin`, CC: undefined }
        const built = run("npx", ["zmq-eventloop-build"], app, withCompiler)
        t.equal(built.status, 0, "zmq-eventloop-build succeeds", { stderr: built.stderr })
        t.match(built.stdout, "native/build/zmq_eventloop.node")
        const traced = runModule(t, app, ioloopKind, { ...noCompilerEnv, NODE_DEBUG: "zmq-eventloop" })
        t.equal(traced.stdout, "fd", "the source build is loaded")
        t.match(traced.stderr, /addon: source build \S+\/native\/build\/zmq_eventloop\.node loaded/)
      },
    )
  },
)

t.test(
  "pnpm installs the tarballs approving only zeromq's build, and the loop runs on the fd poller",
  { skip },
  async (t) => {
    // allowBuilds (pnpm-workspace.yaml) is how pnpm 12 approves a dependency's build; pnpm ignores
    // package.json's pnpm.onlyBuiltDependencies, and fails with ERR_PNPM_IGNORED_BUILDS for any other.
    const overrides = Object.entries(tarballs).map(([name, spec]) => `  "${name}": "${spec}"\n`)
    const app = project(
      "pnpm-app",
      { dependencies },
      {
        "pnpm-workspace.yaml": `allowBuilds:\n  zeromq: true\noverrides:\n${overrides.join("")}`,
      },
    )
    const installed = run("pnpm", ["install", "--prefer-offline", "--store-dir", storeDir], app)
    t.equal(installed.status, 0, "pnpm install succeeds", { output: installed.stdout + installed.stderr })
    usePackages(t, app)
    const help = run("pnpm", ["exec", "zmq-eventloop-build", "--help"], app)
    t.equal(help.status, 0, "zmq-eventloop-build --help exits 0", { stderr: help.stderr })
    t.match(help.stdout, "usage: zmq-eventloop-build", "the bin is linked for the project")
  },
)
