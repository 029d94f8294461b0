// Micro-benchmark (issue 15 item 3): PUSH->PULL 64 B, ours ÷ plain zeromq.js, on each zeromq.js release the
// peer range (^6.5.0) allows. Each release is installed once from the npm registry into a project of its own
// (~/.cache/zmq-eventloop/bench-zeromq/<version>, kept between runs), beside fresh copies of this workspace's
// built packages and of bench/ours, bench/plain and bench/lib, so that the scripts and our packages load
// that release. Runs alternate plain and ours, 3 each; medians. Needs the npm
// registry the first time. Run `pnpm build && node bench/micro/zeromq-versions.mjs [--quick]`.
import { execFileSync, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import { homedir } from "node:os"
import { basename, dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { QUICK, finish, fmt, printTable, ratio } from "../lib/micro.mjs"
import { median } from "../lib/median.mjs"

const VERSIONS = ["6.5.0", "6.6.0", "6.7.0", "6.8.0"]
const N = QUICK ? 20_000 : 200_000
const RUNS = QUICK ? 1 : 3
const bench = dirname(dirname(fileURLToPath(import.meta.url)))
const workspace = dirname(bench)
const cache = join(homedir(), ".cache", "zmq-eventloop", "bench-zeromq")

/** The project for `version`: zeromq installed once, our packages and the scripts linked in. */
function project(version) {
  const dir = join(cache, version)
  const installed = join(dir, "node_modules", "zeromq", "package.json")
  if (!fs.existsSync(installed) || JSON.parse(fs.readFileSync(installed, "utf8")).version !== version) {
    fs.rmSync(dir, { recursive: true, force: true })
    fs.mkdirSync(dir, { recursive: true })
    fs.writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({ name: `bench-zeromq-${version}`, private: true, type: "module" }),
    )
    execFileSync("npm", ["install", `zeromq@${version}`, "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd: dir,
      stdio: ["ignore", "ignore", "inherit"],
      timeout: 300_000,
    })
  }
  // Copies, not links: a link to a workspace package would bring its own node_modules (another zeromq).
  const copies = {
    [join(dir, "node_modules", "@zmq-eventloop", "stack-context")]: join(
      workspace,
      "packages",
      "stack-context",
    ),
    [join(dir, "node_modules", "@zmq-eventloop", "ioloop")]: join(workspace, "packages", "ioloop"),
    [join(dir, "node_modules", "@zmq-eventloop", "zmqstream")]: join(workspace, "packages", "zmqstream"),
    [join(dir, "ours")]: join(bench, "ours"),
    [join(dir, "plain")]: join(bench, "plain"),
    [join(dir, "lib")]: join(bench, "lib"),
  }
  const skipped = new Set(["node_modules", "src", "test", "examples"])
  for (const [copy, source] of Object.entries(copies)) {
    fs.rmSync(copy, { recursive: true, force: true })
    fs.cpSync(source, copy, { recursive: true, filter: (path) => !skipped.has(basename(path)) })
  }
  return dir
}

/** One run of `impl`'s push_pull in `dir`: its JSON line. */
function run(dir, impl) {
  const ran = spawnSync(process.execPath, [join(dir, impl, "push_pull.mjs"), String(N), "64"], {
    cwd: dir,
    encoding: "utf8",
    timeout: 120_000,
  })
  if (ran.status !== 0) throw new Error(`${impl} on zeromq in ${dir} failed: ${ran.stderr}`)
  return JSON.parse(ran.stdout.trim().split("\n").at(-1))
}

const rows = []
const results = []
for (const version of VERSIONS) {
  const dir = project(version)
  const plain = []
  const ours = []
  let dataPath = "?"
  for (let i = 0; i < RUNS; i++) {
    plain.push(run(dir, "plain").msgs_per_s)
    const line = run(dir, "ours")
    ours.push(line.msgs_per_s)
    dataPath = line.data_path
  }
  const result = { version, plain: median(plain), ours: median(ours), dataPath }
  results.push(result)
  rows.push([version, fmt(result.plain), fmt(result.ours), dataPath, ratio(result.ours, result.plain)])
}
printTable(["zeromq", "plain msg/s", "ours msg/s", "ours' data path", "ours/plain"], rows)
finish({ micro: "zeromq-versions", n: N, size: 64, results })
