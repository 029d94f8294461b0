// Child processes that are stopped with everything they started. Each child is spawned detached, so it
// leads a process group of its own, and is stopped by signalling the group (`kill -- -pgid`): a program's
// own children (the kernel the Jupyter self-check starts) go with it. A reaper process (reaper.mjs) kills
// the groups if this process dies without stopping them.
//
// Process plumbing for the demo runner and the examples' tests, not example code: its failure paths run
// only when a demo or a test fails, so it is left out of the coverage figures.
/* c8 ignore start */
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

const REAPER = fileURLToPath(new URL("reaper.mjs", import.meta.url))

export class ProcessGroups {
  /** pgid (the leader's pid) -> a promise of the leader's exit, for the groups not yet stopped. */
  #groups = new Map()
  #reaper = null

  /** Spawns `command` with `args` (node:child_process options) as the leader of a new process group. */
  spawn(command, args, options = {}) {
    const child = spawn(command, args, { ...options, detached: true })
    // A failed spawn has no pid: its "exit" never comes (the caller gets the "error" event).
    if (child.pid === undefined) return child
    const exited = new Promise((resolve) => child.once("exit", resolve))
    this.#groups.set(child.pid, exited)
    this.#tellReaper(`+${child.pid}`)
    return child
  }

  /**
   * Stops the group led by `pid`: SIGTERM, then SIGKILL to whatever of the group is left once the leader has
   * exited or `graceMs` has passed. Resolves when the leader has exited.
   */
  async stop(pid, graceMs) {
    const exited = this.#groups.get(pid)
    if (exited === undefined) return
    signalGroup(pid, "SIGTERM")
    let timer
    await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))])
    clearTimeout(timer)
    signalGroup(pid, "SIGKILL")
    await exited
    this.#groups.delete(pid)
    this.#tellReaper(`-${pid}`)
  }

  /** `stop()` for every group, at once. */
  stopAll(graceMs) {
    return Promise.all([...this.#groups.keys()].map((pid) => this.stop(pid, graceMs)))
  }

  /** SIGKILL to every group not yet stopped, synchronously (for a process "exit" handler). */
  killAll() {
    for (const pid of this.#groups.keys()) signalGroup(pid, "SIGKILL")
  }

  #tellReaper(line) {
    if (this.#reaper === null) {
      this.#reaper = spawn(process.execPath, [REAPER], {
        detached: true,
        stdio: ["pipe", "ignore", "ignore"],
      })
      // Neither the reaper nor the pipe to it may keep this process alive: the pipe ending is its signal.
      this.#reaper.unref()
      this.#reaper.stdin.unref()
      this.#reaper.stdin.on("error", () => {}) // the reaper gone first (killed by hand): nothing to tell
    }
    this.#reaper.stdin.write(`${line}\n`)
  }
}

function signalGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal)
  } catch {
    // ESRCH: nothing left in the group
  }
}
/* c8 ignore stop */
