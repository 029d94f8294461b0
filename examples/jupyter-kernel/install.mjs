// Writes the kernelspec of the calc kernel and installs it where Jupyter looks for kernels.
//
//   node examples/jupyter-kernel/install.mjs              writes kernelspec/kernel.json only, prints how to install
//   node examples/jupyter-kernel/install.mjs --user       installs for this user (JUPYTER_DATA_DIR or ~/.local/share/jupyter)
//   node examples/jupyter-kernel/install.mjs --prefix DIR installs into DIR/share/jupyter (a venv, a test dir)
//
// kernel.json must name kernel.mjs by absolute path (Jupyter starts kernels from any directory), so it is
// generated here rather than kept in git. Uninstall: see examples/README.md (jupyter-kernel).
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs"
import { homedir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { exitWithUsage, parseCommandLine } from "../lib/cli.mjs"
import { KERNEL_NAME } from "./handlers.mjs"

const USAGE = "node examples/jupyter-kernel/install.mjs [--user | --prefix DIR]"
const {
  values: { user, prefix },
} = parseCommandLine({
  usage: USAGE,
  options: {
    user: { type: "boolean", help: "install for this user (JUPYTER_DATA_DIR or ~/.local/share/jupyter)" },
    prefix: { type: "string", arg: "DIR", help: "install into DIR/share/jupyter (a venv, a test directory)" },
  },
})
if (user && prefix !== undefined) exitWithUsage("--user and --prefix exclude each other", USAGE)

const here = fileURLToPath(new URL(".", import.meta.url))
const spec = {
  argv: [process.execPath, join(here, "kernel.mjs"), "-f", "{connection_file}"],
  display_name: "Calc (zmq-eventloop)",
  language: "calc",
  interrupt_mode: "message", // interrupt_request on control, not SIGINT
  metadata: {},
}
const specDir = join(here, "kernelspec")
mkdirSync(specDir, { recursive: true })
// One key per line, values compact: the layout Prettier gives it (for paths of usual length).
const json = Object.entries(spec).map(([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`)
writeFileSync(join(specDir, "kernel.json"), `{\n${json.join(",\n")}\n}\n`)
console.log(`wrote ${join(specDir, "kernel.json")}`)

let dataDir = null
if (user) {
  dataDir =
    process.env.JUPYTER_DATA_DIR ??
    (process.platform === "darwin"
      ? join(homedir(), "Library", "Jupyter")
      : join(homedir(), ".local", "share", "jupyter"))
} else if (prefix !== undefined) {
  dataDir = join(prefix, "share", "jupyter")
}

if (dataDir === null) {
  console.log("install it with --user or --prefix DIR (node examples/jupyter-kernel/install.mjs --help)")
} else {
  const target = join(dataDir, "kernels", KERNEL_NAME)
  mkdirSync(target, { recursive: true })
  copyFileSync(join(specDir, "kernel.json"), join(target, "kernel.json"))
  console.log(`installed kernelspec ${KERNEL_NAME} in ${target}`)
  console.log(`try it: jupyter console --kernel ${KERNEL_NAME}`)
}
