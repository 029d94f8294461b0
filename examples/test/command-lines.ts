// Every example program's command line (node:util parseArgs, strict) and deadline, in one table: --help
// prints the usage and exits 0, an unknown flag or a bad value prints what is wrong and the usage line and
// exits 2, and a program with a finite job, given a deadline it cannot meet, says what is missing and
// exits 1. Nothing here binds a port or writes a file before its arguments are checked.
import t from "tap"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { root, start } from "./helpers/run.js"

const PROGRAMS = [
  "examples/run.mjs",
  "examples/echo/server.mjs",
  "examples/echo/client.mjs",
  "examples/echostream/echostream.mjs",
  "examples/pubsub/pubsub.mjs",
  "examples/asyncweb/server.mjs",
  "examples/asyncweb/worker.mjs",
  "examples/asyncweb/client.mjs",
  "examples/broker/broker.mjs",
  "examples/broker/worker.mjs",
  "examples/broker/client.mjs",
  "examples/jupyter-kernel/kernel.mjs",
  "examples/jupyter-kernel/install.mjs",
  "examples/jupyter-kernel/self-check.mjs",
  "examples/ironhouse/ironhouse.mjs",
  "examples/ironhouse/generate-certificates.mjs",
]

// Nothing listens on the discard port: a zmq peer never answers, an HTTP request is refused.
const NOBODY = "tcp://127.0.0.1:9"

interface Row {
  args: string[]
  status: number
  /** Lines the output must have (one pattern or several). */
  line: RegExp | RegExp[]
}

const usage = (program: string) => new RegExp(`^usage: node ${program.replaceAll(".", "\\.")} `)

const rows: Row[] = [
  ...PROGRAMS.flatMap((program) => [
    { args: [program, "--help"], status: 0, line: usage(program) },
    {
      args: [program, "--no-such-flag"],
      status: 2,
      line: [/^Unknown option '--no-such-flag'/, usage(program)],
    },
  ]),
  // bad values and arguments
  { args: ["examples/run.mjs", "nope"], status: 2, line: /^unknown example "nope"; one of: echo, / },
  { args: ["examples/run.mjs", "echo", "pubsub"], status: 2, line: /^expected at most 1 argument, got 2$/ },
  { args: ["examples/echo/server.mjs", "5555"], status: 2, line: /^argument 1 must be a zmq endpoint/ },
  { args: ["examples/echo/client.mjs"], status: 2, line: /^expected at least 1 argument, got 0$/ },
  {
    args: ["examples/echostream/echostream.mjs", "--count", "zero"],
    status: 2,
    line: /^--count must be an integer >= 1, got "zero"$/,
  },
  {
    args: ["examples/pubsub/pubsub.mjs", "--ticks", "0"],
    status: 2,
    line: /^--ticks must be an integer >= 1/,
  },
  {
    args: ["examples/pubsub/pubsub.mjs", "--period"],
    status: 2,
    line: /^Option '--period <value>' argument/,
  },
  { args: ["examples/asyncweb/server.mjs", "--workers", "many"], status: 2, line: /^--workers must be/ },
  {
    args: ["examples/asyncweb/server.mjs", "--port", "99999"],
    status: 2,
    line: /^--port must be an integer from 0 to 65535, got "99999"$/,
  },
  { args: ["examples/asyncweb/client.mjs", "ftp://x/"], status: 2, line: /^argument 1 must be an http/ },
  { args: ["examples/broker/broker.mjs", "--backend", "5556"], status: 2, line: /^--backend must be a zmq/ },
  { args: ["examples/broker/client.mjs", NOBODY, "--requests", "1.5"], status: 2, line: /^--requests must/ },
  { args: ["examples/broker/worker.mjs"], status: 2, line: /^expected 1 argument, got 0$/ },
  { args: ["examples/jupyter-kernel/kernel.mjs"], status: 2, line: /^-f\/--connection-file is required$/ },
  {
    args: ["examples/jupyter-kernel/install.mjs", "--user", "--prefix", "/tmp"],
    status: 2,
    line: /^--user and --prefix exclude each other$/,
  },
  {
    args: ["examples/ironhouse/ironhouse.mjs", "--timeout", "abc"],
    status: 2,
    line: /^--timeout must be an integer >= 1, got "abc"$/,
  },
  {
    args: ["examples/ironhouse/generate-certificates.mjs"],
    status: 2,
    line: /^expected 1 argument, got 0$/,
  },
  // deadlines that cannot be met
  {
    args: ["examples/run.mjs", "echostream", "--timeout", "200"],
    status: 1,
    line: /^example echostream failed: no exit after 200 ms; still running: echostream$/,
  },
  {
    args: ["examples/echo/client.mjs", NOBODY, "--timeout", "200"],
    status: 1,
    line: /^echo client: 0 of 3 messages echoed by tcp:\/\/127\.0\.0\.1:9 after 200 ms$/,
  },
  {
    args: ["examples/pubsub/pubsub.mjs", "--period", "10000", "--timeout", "300"],
    status: 1,
    line: /^pubsub: (\d+ subscriptions not seen by the publisher|no "done" at alice, bob, carol \(0 of 12 ticks sent\)) after 300 ms$/,
  },
  {
    args: ["examples/asyncweb/client.mjs", "http://127.0.0.1:9/", "--requests", "2"],
    status: 1,
    line: /^0 of 2 requests answered correctly in \d+ ms$/,
  },
  {
    args: ["examples/broker/client.mjs", NOBODY, "--name", "c", "--timeout", "200"],
    status: 1,
    line: /^client c: 0 of 10 requests answered after 200 ms$/,
  },
  {
    args: ["examples/jupyter-kernel/self-check.mjs", "--timeout", "1"],
    status: 1,
    line: /^jupyter-kernel self-check: still waiting for the kernel's ready line, .* after 1 ms$/,
  },
]

t.test("each program's arguments are checked, and its deadline says what is missing", async (t) => {
  // All at once: each is a short-lived process.
  const runs = rows.map((row) => ({ row, run: start(t, row.args) }))
  for (const { row, run } of runs) {
    const what = row.args.join(" ")
    t.equal(await run.exit(), row.status, `${what}: exits ${row.status}`)
    for (const pattern of [row.line].flat()) {
      t.ok(
        run.lines.some((line) => pattern.test(line)),
        `${what}: prints a line matching ${pattern}`,
        { lines: run.lines },
      )
    }
  }
  t.notOk(existsSync(join(root, "--help")), "`generate-certificates.mjs --help` wrote no certificates")
})

t.test("Ctrl-C on the runner stops the demo and says so, not that it failed", async (t) => {
  // lazy-pirate's demo runs at least a second (a dropped request waits out its 1000 ms retry timeout).
  const run = start(t, ["examples/run.mjs", "lazy-pirate"])
  await run.waitFor(/^\[server\] lazy pirate server listening/)
  run.child.kill("SIGINT") // what the terminal sends the runner (its programs have process groups of their own)
  t.equal(await run.exit(), 130, "exits as SIGINT would (128 + 2)")
  t.ok(run.lines.includes("example lazy-pirate stopped (SIGINT)"), "says it stopped", { lines: run.lines })
  t.notOk(
    run.lines.some((line) => / failed: /.test(line)),
    "reports no failure",
    { lines: run.lines },
  )
  t.same(run.leftBehind(), [], "no program left running")
})
