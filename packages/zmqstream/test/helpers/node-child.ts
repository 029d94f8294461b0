// Runs a short ES-module script in a child Node: for what only a fresh process shows (NODE_DEBUG is read
// once, at the first import).
import { spawnSync, type SpawnSyncReturns } from "node:child_process"
import { fileURLToPath } from "node:url"
import { CHILD_NODE } from "../../../ioloop/test/helpers/child-node.js"

/** The built package, as a quoted specifier a child's script can import (`pnpm build` runs first). */
export const BUILT_PACKAGE = JSON.stringify(new URL("../../dist/index.js", import.meta.url).href)

/**
 * Runs `script` as an ES module in a child Node, from this package's directory (where zeromq and the
 * workspace packages resolve), with `env` over this process's environment.
 */
export function runNodeScript(script: string, env: NodeJS.ProcessEnv): SpawnSyncReturns<string> {
  return spawnSync(CHILD_NODE, ["--input-type=module", "-e", script], {
    env: { ...process.env, ...env },
    cwd: fileURLToPath(new URL("../..", import.meta.url)),
    encoding: "utf8",
    timeout: 60_000,
  })
}
