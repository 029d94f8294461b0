// Each package installs on its own, as a user gets it: `pnpm pack` the workspace packages, install the
// tarballs with npm into an empty folder outside the workspace, import each package and call its API.
import t from "tap"
import { execFileSync, spawnSync } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const packages = ["stack-context", "ioloop", "zmqstream", "auth"]

const dir = mkdtempSync(join(tmpdir(), "zmq-eventloop-pack-"))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

t.test("every package packs and installs with npm outside the workspace", async (t) => {
  for (const name of packages) {
    execFileSync("pnpm", ["pack", "--pack-destination", dir], {
      cwd: join(root, "packages", name),
      stdio: "pipe",
    })
  }
  const tarballs = readdirSync(dir).filter((file) => file.endsWith(".tgz"))
  t.equal(tarballs.length, packages.length, tarballs.join(", "))
  const app = join(dir, "app")
  execFileSync("mkdir", [app])
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }))
  execFileSync(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      ...tarballs.map((file) => `../${file}`),
      "zeromq@6",
    ],
    { cwd: app, stdio: "pipe", timeout: 180_000 },
  )

  const run = (code: string) => {
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", code], {
      cwd: app,
      encoding: "utf8",
    })
    t.equal(result.status, 0, result.stderr)
    return result.stdout.trim()
  }

  t.equal(
    run(`
      import { ExceptionStackContext, wrap } from "@zmq-eventloop/stack-context"
      let seen
      const later = new ExceptionStackContext((error) => { seen = error.message; return true }).run(() =>
        wrap(() => { throw new Error("caught") }))
      later()
      console.log(seen)
    `),
    "caught",
    "stack-context imports and works",
  )
  t.equal(
    run(`
      import { IOLoop } from "@zmq-eventloop/ioloop"
      const loop = new IOLoop()
      console.log(loop.pollerKind, await loop.runSync(() => new Promise((resolve) => loop.callLater(5, resolve, 42))))
    `),
    "fd 42",
    "ioloop imports, its install script built the native watcher, and it runs",
  )
  t.equal(
    run(`
      import { IOLoop } from "@zmq-eventloop/ioloop"
      import { ZMQStream } from "@zmq-eventloop/zmqstream"
      import * as zmq from "zeromq"
      const loop = new IOLoop()
      const server = new ZMQStream(new zmq.Router(), loop)
      const port = await server.bindToRandomPort("tcp://127.0.0.1")
      server.onRecv(([id, text]) => server.sendMultipart([id, String(text).toUpperCase()]))
      const client = new ZMQStream(new zmq.Dealer(), loop)
      client.connect("tcp://127.0.0.1:" + port)
      client.onRecv(([reply]) => { console.log(String(reply)); loop.stop() })
      client.sendString("hello")
      await loop.start()
      server.close(0); client.close(0); loop.close()
    `),
    "HELLO",
    "zmqstream imports and runs a round trip",
  )
  t.equal(
    run(readFileSync(join(root, "packages/auth/examples/curve.mjs"), "utf8")),
    "client: Hello World; stranger: refused (400)",
    "auth imports and its README example admits the known CURVE client and refuses the stranger",
  )
})
