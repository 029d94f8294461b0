// The types of process-groups.mjs, for the examples' tests (TypeScript).
import type { ChildProcess, SpawnOptions } from "node:child_process"

/** Child processes that are stopped with everything they started (see process-groups.mjs). */
export declare class ProcessGroups {
  /** Spawns `command` with `args` as the leader of a new process group. */
  spawn(command: string, args: readonly string[], options?: SpawnOptions): ChildProcess
  /** SIGTERM to the group led by `pid`, SIGKILL to what is left after `graceMs`; resolves once it exited. */
  stop(pid: number, graceMs: number): Promise<void>
  /** `stop()` for every group, at once. */
  stopAll(graceMs: number): Promise<void[]>
  /** SIGKILL to every group not yet stopped, synchronously. */
  killAll(): void
}
