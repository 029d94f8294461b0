// Writes the kernelspec of the JavaScript kernel and installs it where Jupyter looks for kernels.
//
//   node examples/jupyter-kernel/install.mjs              writes kernelspec/kernel.json only, prints how to install
//   node examples/jupyter-kernel/install.mjs --user       installs for this user (JUPYTER_DATA_DIR or ~/.local/share/jupyter)
//   node examples/jupyter-kernel/install.mjs --prefix DIR installs into DIR/share/jupyter (a venv, a test dir)
//   ... --interrupt-mode message                          interrupts by interrupt_request instead of SIGINT
//   ... --name NAME                                       installs under another kernel name (default zmq-eventloop-js)
//
// kernel.json must name kernel.mjs by absolute path (Jupyter starts kernels from any directory), so it is
// generated here rather than kept in git. Uninstall: see examples/README.md (jupyter-kernel).
import { mkdirSync, renameSync, writeFileSync } from "node:fs"
import { homedir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { exitWithUsage, parseCommandLine } from "../lib/cli.mjs"
import { DISPLAY_NAME, KERNEL_NAME } from "./kernel-info.mjs"

const USAGE =
  "node examples/jupyter-kernel/install.mjs [--user | --prefix DIR] [--interrupt-mode MODE] [--name NAME]"
const {
  values: { user, prefix, "interrupt-mode": interruptMode, name },
} = parseCommandLine({
  usage: USAGE,
  options: {
    user: { type: "boolean", help: "install for this user (JUPYTER_DATA_DIR or ~/.local/share/jupyter)" },
    prefix: { type: "string", arg: "DIR", help: "install into DIR/share/jupyter (a venv, a test directory)" },
    "interrupt-mode": {
      type: "string",
      arg: "MODE",
      default: "signal",
      help: "how Jupyter interrupts the kernel: signal (SIGINT) or message (interrupt_request)",
    },
    name: { type: "string", arg: "NAME", default: KERNEL_NAME, help: "the kernel's name in Jupyter" },
  },
})
if (user && prefix !== undefined) exitWithUsage("--user and --prefix exclude each other", USAGE)
if (interruptMode !== "signal" && interruptMode !== "message")
  exitWithUsage(`--interrupt-mode must be signal or message, got ${interruptMode}`, USAGE)
if (!/^[\w.-]+$/.test(name))
  exitWithUsage(`--name may hold letters, digits, _ . and - only, got ${name}`, USAGE)

const here = fileURLToPath(new URL(".", import.meta.url))
const spec = {
  argv: [
    process.execPath,
    join(here, "kernel.mjs"),
    "-f",
    "{connection_file}",
    "--interrupt-mode",
    interruptMode,
  ],
  display_name: name === KERNEL_NAME ? DISPLAY_NAME : `${DISPLAY_NAME} ${name}`,
  language: "javascript",
  interrupt_mode: interruptMode,
  metadata: {},
}
/**
 * Writes `text` to `path` whole or not at all (a temporary file renamed over it): two installs at once, of
 * other names or modes, must neither read a file the other has just truncated nor install the other's spec.
 */
function writeWhole(path, text) {
  const temporary = `${path}.${process.pid}.tmp`
  writeFileSync(temporary, text)
  renameSync(temporary, path)
}

const specDir = join(here, "kernelspec")
mkdirSync(specDir, { recursive: true })
// One key per line, values compact: the layout Prettier gives it (for paths of usual length).
const json = Object.entries(spec).map(([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`)
const specText = `{\n${json.join(",\n")}\n}\n`
writeWhole(join(specDir, "kernel.json"), specText)
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
  const target = join(dataDir, "kernels", name)
  mkdirSync(target, { recursive: true })
  writeWhole(join(target, "kernel.json"), specText)
  console.log(`installed kernelspec ${name} in ${target}`)
  console.log(`try it: jupyter console --kernel ${name}`)
}
