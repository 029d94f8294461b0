// The workspace's published packages as a user gets them: `pnpm pack` tarballs, and throw-away projects
// that install them (test/pack-install.ts, test/zeromq-versions.ts).
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import { basename, dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

/**
 * The workspace's root: the nearest folder above this file with a pnpm-workspace.yaml (two up here; more
 * when this file runs compiled elsewhere in the tree, as native/verify/qemu-arm64.sh runs it).
 */
export const root = workspaceRoot(fileURLToPath(new URL(".", import.meta.url)))

function workspaceRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (fs.existsSync(join(dir, "pnpm-workspace.yaml"))) return dir
    if (dirname(dir) === dir) throw new Error(`no pnpm-workspace.yaml above ${from}`)
  }
}
/** Every published workspace package (folder under packages/), in dependency order. */
export const packages = ["stack-context", "ioloop", "zmqstream", "auth"]

/** `pnpm pack` every package into `dir`: the tarballs by package name, as `file:` specs for a project folder inside `dir`. */
export function packWorkspacePackages(dir: string): Record<string, string> {
  const tarballs: Record<string, string> = {}
  for (const folder of packages) {
    const packed = execFileSync("pnpm", ["pack", "--json", "--pack-destination", dir], {
      cwd: join(root, "packages", folder),
      encoding: "utf8",
    })
    const { name, filename } = JSON.parse(packed) as { name: string; filename: string }
    tarballs[name] = `file:../${basename(filename)}`
  }
  return tarballs
}

/** A project folder `dir/name` with this package.json (and these extra files). */
export function makeProject(
  dir: string,
  name: string,
  manifest: object,
  files: Record<string, string> = {},
): string {
  const app = join(dir, name)
  fs.mkdirSync(app)
  fs.writeFileSync(
    join(app, "package.json"),
    JSON.stringify({ name, private: true, type: "module", ...manifest }),
  )
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(join(app, file), text)
  return app
}
