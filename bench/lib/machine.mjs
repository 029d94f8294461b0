// What the figures were measured on: recorded with every result file and
// printed above the tables.
import { readFileSync } from "node:fs"
import os from "node:os"

function cpuModel() {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((l) => l.startsWith("model name"))
    return line.split(":")[1].trim()
  } catch {
    return os.cpus()[0]?.model ?? "unknown"
  }
}

export async function describeMachine() {
  const zmq = await import("zeromq")
  const zeromqPackage = new URL("../node_modules/zeromq/package.json", import.meta.url)
  return {
    nproc: os.availableParallelism(),
    cpu: cpuModel(),
    mem_gib: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    zeromq: JSON.parse(readFileSync(zeromqPackage, "utf8")).version,
    libzmq: zmq.version,
  }
}

export function machineLine(m) {
  return `machine: nproc=${m.nproc}, ${m.cpu}, ${m.mem_gib} GiB, kernel ${m.kernel}; Node ${m.node}; zeromq.js ${m.zeromq} (libzmq ${m.libzmq})`
}
