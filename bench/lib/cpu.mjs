// Who else is using the CPUs? The machine has few cores, and other work (a test
// suite, a build) distorts throughput figures by up to 2x. Before each run the
// driver waits briefly for the machine to be quiet, and measures the CPU that
// processes outside the driver and its children used during the run. Linux
// only (/proc); elsewhere both are no-ops. /proc counts in USER_HZ = 100 ticks/s.
import { readFileSync } from "node:fs"
import { setTimeout as sleep } from "node:timers/promises"

/** "Quiet": other processes use less than this % of one core. */
export const QUIET_PCT = 15

const USER_HZ = 100
const SAMPLE_MS = 500

function busyTicks() {
  const [user, nice, system] = readFileSync("/proc/stat", "utf8")
    .split("\n")[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number)
  return user + nice + system
}

// utime + stime + cutime + cstime of this process: itself plus its reaped children
function ownTicks() {
  const stat = readFileSync("/proc/self/stat", "utf8")
  const fields = stat
    .slice(stat.lastIndexOf(")") + 2)
    .split(" ")
    .map(Number)
  return fields[11] + fields[12] + fields[13] + fields[14]
}

function available() {
  try {
    busyTicks()
    ownTicks()
    return true
  } catch {
    return false
  }
}

const AVAILABLE = available()

/** Starts measuring; the returned function gives the % of one core used by others since. */
export function foreignCpuMeter() {
  if (!AVAILABLE) return () => null
  const t0 = performance.now()
  const busy0 = busyTicks()
  const own0 = ownTicks()
  return () => {
    const seconds = (performance.now() - t0) / 1e3
    const foreign = busyTicks() - busy0 - (ownTicks() - own0)
    return Math.max(0, Math.round((foreign / USER_HZ / seconds) * 100))
  }
}

/** Waits until others use less than QUIET_PCT % of one core, at most `maxWaitMs`; returns the last reading. */
export async function waitQuiet(maxWaitMs) {
  const deadline = performance.now() + maxWaitMs
  for (;;) {
    const meter = foreignCpuMeter()
    await sleep(SAMPLE_MS)
    const pct = meter()
    if (pct === null || pct < QUIET_PCT || performance.now() >= deadline) return pct
  }
}
