// The reaper: a detached helper process that kills process groups once its parent is gone, however the
// parent died (SIGKILL included, when no exit handler runs). examples/lib/demo.mjs and the examples' tests
// start one each and tell it, on its stdin, the process groups they create:
//
//   +<pgid>   a group to kill when the parent is gone        -<pgid>   that group has been dealt with
//
// stdin ends when the parent exits: the reaper sends SIGTERM to every group still listed, SIGKILL to what
// is left KILL_AFTER_MS later, and exits. It is a script run by `node`, never imported.
//
// Process plumbing for the demo runner and the examples' tests, not example code: its failure paths run
// only when a demo or a test fails, so it is left out of the coverage figures.
/* c8 ignore start */
import { createInterface } from "node:readline"

const KILL_AFTER_MS = 2000
const groups = new Set()

const signal = (name) => {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, name)
    } catch {
      groups.delete(pgid) // ESRCH: the group is gone
    }
  }
}

createInterface({ input: process.stdin })
  .on("line", (line) => {
    const pgid = Number(line.slice(1))
    if (line[0] === "+") groups.add(pgid)
    else groups.delete(pgid)
  })
  .on("close", () => {
    signal("SIGTERM")
    if (groups.size === 0) return
    setTimeout(() => signal("SIGKILL"), KILL_AFTER_MS)
  })
/* c8 ignore stop */
