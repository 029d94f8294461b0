// examples/ironhouse: the CURVE echo server and client with an IOLoopAuthenticator, started as the README
// shows; the certificates are checked with pyzmq's zmq.auth.load_certificate when /usr/bin/python3 has it.
import t from "tap"
import { spawnSync } from "node:child_process"
import { readdirSync, rmSync } from "node:fs"
import { join } from "node:path"
import { start } from "./helpers/run.js"

const PYTHON = "/usr/bin/python3"
const pyzmq = spawnSync(PYTHON, ["-c", "import zmq.auth"], { encoding: "utf8" })
const pyzmqSkip =
  pyzmq.status === 0 ? false : `pyzmq is not importable by ${PYTHON}: ${pyzmq.stderr ?? pyzmq.error}`

t.test("with fresh certificates, the client is answered and the intruder refused; exit 0", async (t) => {
  const run = start(t, ["examples/ironhouse/ironhouse.mjs"])
  t.equal(await run.exit(), 0, run.lines.join("\n"))
  t.ok(run.lines.includes("[INFO] Ironhouse test OK"))
  t.ok(run.lines.includes("[INFO] a client with an unknown key was refused (ZAP status 400)"))
  t.notOk(
    run.lines.some((line) => line.startsWith("[DEBUG]")),
    "no debug lines without -v",
  )
})

t.test("generate-certificates.mjs makes the layout ironhouse.mjs --keys uses", async (t) => {
  const dir = t.testdir()
  const generate = start(t, ["examples/ironhouse/generate-certificates.mjs", dir])
  t.equal(await generate.exit(), 0, generate.lines.join("\n"))
  t.same(readdirSync(join(dir, "public_keys")).sort(), ["client.key", "server.key"])
  t.same(readdirSync(join(dir, "private_keys")).sort(), ["client.key_secret", "server.key_secret"])
  t.same(readdirSync(join(dir, "certificates")), [], "the working directory is left empty")

  const run = start(t, ["examples/ironhouse/ironhouse.mjs", "--keys", dir, "-v"])
  t.equal(await run.exit(), 0, run.lines.join("\n"))
  t.ok(run.lines.includes("[INFO] Ironhouse test OK"))
  t.ok(run.lines.includes("[DEBUG] PASSED (allowed) address=127.0.0.1"), "-v shows the decisions")
  t.ok(run.lines.some((line) => line.startsWith("[DEBUG] ALLOWED (CURVE) domain=* client_key=")))
  t.ok(run.lines.includes("[DEBUG] ZAP reply code=400 text=Unknown key"))
  t.ok(run.lines.includes('[DEBUG] client recvd ["Hello","World"]'))
})

t.test("pyzmq's load_certificate reads the generated certificates", { skip: pyzmqSkip }, async (t) => {
  const dir = t.testdir()
  t.equal(await start(t, ["examples/ironhouse/generate-certificates.mjs", dir]).exit(), 0)
  const script = [
    "import sys, zmq.auth",
    "pub, sec = zmq.auth.load_certificate(sys.argv[1] + '/private_keys/client.key_secret')",
    "assert zmq.auth.load_certificates(sys.argv[1] + '/public_keys').get(pub), 'client key not in public_keys'",
    "print(len(pub), len(sec))",
  ].join("\n")
  const result = spawnSync(PYTHON, ["-c", script, dir], { encoding: "utf8" })
  t.equal(result.stdout.trim(), "40 40", result.stderr)
})

t.test("without the client's certificate the deadline names what is missing; exit 1", async (t) => {
  const dir = t.testdir()
  t.equal(await start(t, ["examples/ironhouse/generate-certificates.mjs", dir]).exit(), 0)
  rmSync(join(dir, "public_keys", "client.key"))
  const run = start(t, ["examples/ironhouse/ironhouse.mjs", "--keys", dir, "--timeout", "6000"])
  t.equal(await run.exit(), 1)
  t.ok(
    run.lines.includes("[ERROR] timed out after 6000 ms; missing: the server's reply to the client"),
    run.lines.join("\n"),
  )
  t.notOk(run.lines.includes("[INFO] Ironhouse test OK"))
})

t.test("without certificates it says so and exits 1", async (t) => {
  const dir = t.testdir()
  const run = start(t, ["examples/ironhouse/ironhouse.mjs", "--keys", dir])
  t.equal(await run.exit(), 1)
  t.ok(run.lines.includes(`[ERROR] Certificates are missing in ${dir} - run generate-certificates.mjs first`))
})

t.test("`pnpm example ironhouse` runs it and exits 0", async (t) => {
  const demo = start(t, ["examples/run.mjs", "ironhouse"])
  t.equal(await demo.exit(), 0, "the demo exits 0", { lines: demo.lines })
  t.ok(demo.lines.includes("[ironhouse] [INFO] Ironhouse test OK"))
})
