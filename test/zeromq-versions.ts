// The native data path on every zeromq.js release the peer range (^6.5.0) allows: for each, a throw-away
// project installs the packed packages with that zeromq from the registry (its tarball ships its
// prebuilt addon), and a PUSH→PULL pair of streams must both be on the native data path and carry
// 10,000 messages, in order. The layout of zeromq.js's socket is learned at run time, so a release
// whose layout moved still gets the native path, or a refusal with the reason, never a crash. On arm64,
// packages/ioloop/native/verify/qemu-arm64.sh runs this file under qemu.
import t from "tap"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { makeProject, packWorkspacePackages, root } from "./helpers/workspace-packages.js"
import { CHILD_NODE } from "../packages/ioloop/test/helpers/child-node.js"
import { NO_NATIVE_DATA_PATH } from "../packages/ioloop/test/helpers/loop.js"

const versions = ["6.5.0", "6.6.0", "6.7.0", "6.8.0"]
// Copied into each project, so that it imports the packages that project installed.
const roundTrip = fs.readFileSync(join(root, "test", "fixtures", "zeromq-round-trip.mjs"), "utf8")
const MESSAGES = 10_000

t.test("every zeromq.js 6.x release gets the native data path", { skip: NO_NATIVE_DATA_PATH }, async (t) => {
  const dir = fs.mkdtempSync(join(tmpdir(), "zmq-eventloop-versions-"))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  const tarballs = packWorkspacePackages(dir)
  for (const version of versions) {
    t.test(`zeromq ${version}`, async (t) => {
      // allowScripts: npm's approval of zeromq's install script (it finds its prebuilt addon).
      const app = makeProject(
        dir,
        `zeromq-${version}`,
        {
          dependencies: { ...tarballs, zeromq: version },
          overrides: tarballs,
          allowScripts: { zeromq: true },
        },
        { "round-trip.mjs": roundTrip },
      )
      const installed = spawnSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], {
        cwd: app,
        encoding: "utf8",
        timeout: 120_000,
      })
      t.equal(installed.status, 0, "npm install succeeds", { stderr: installed.stderr })
      const ran = spawnSync(CHILD_NODE, ["round-trip.mjs", String(MESSAGES)], {
        cwd: app,
        encoding: "utf8",
        timeout: 60_000,
        // The addon the package installed, as a user gets it: not one a test run points at.
        env: { ...process.env, NODE_DEBUG: "zmq-eventloop", ZMQ_EVENTLOOP_ADDON: undefined },
      })
      t.equal(ran.status, 0, "the round trip runs", { stderr: ran.stderr })
      t.same(
        JSON.parse(ran.stdout.trim() || "{}"),
        { version, push: "native", pull: "native", received: MESSAGES, outOfOrder: 0 },
        "both streams native, every message in order",
      )
      t.match(ran.stderr, "native data path: on", "the self-test passed on this release")
      t.match(
        ran.stderr,
        `addon: prebuild ${join(app, "node_modules", "@zmq-eventloop", "ioloop", "prebuilds", `${process.platform}-${process.arch}`)}`,
        "the installed package's own prebuild",
      )
    })
  }
})
