// The workspace's published packages as a user gets them: `pnpm pack` tarballs, and throw-away projects
// that install them (test/pack-install.ts, test/zeromq-versions.ts).
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import { basename, join } from "node:path"
import { fileURLToPath } from "node:url"

export const root = fileURLToPath(new URL("../..", import.meta.url))
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
