// A program in a real terminal: a detached tmux session on a private socket, typed into with send-keys and
// read back with capture-pane, so full-screen programs (jupyter console's prompt_toolkit interface, with
// multi-line input) run as they do for a user. Each wait polls the screen until a pattern shows, with a
// deadline that names the pattern and shows the screen.
//
// Test scaffolding, not code under test (see run.ts).
/* c8 ignore start */
import { spawnSync } from "node:child_process"
import { join } from "node:path"
import { setTimeout as delay } from "node:timers/promises"

/** How often the screen is read while waiting for something to show. */
const POLL_MS = 100

interface Teardown {
  teardown(fn: () => unknown): void
}

/** Why tmux cannot be used here, or false when it can. */
export function missingTmux(): string | false {
  const probe = spawnSync("tmux", ["-V"], { encoding: "utf8" })
  return probe.status === 0 ? false : "tmux is not installed (apt-get install tmux)"
}

export class Terminal {
  readonly #socket: string
  readonly #env: NodeJS.ProcessEnv

  /**
   * Starts `command` in a new tmux server whose socket is `dir`/tmux.sock, its environment `env`, on a
   * `columns` x `rows` screen. The server and whatever still runs in it are killed when the test ends.
   */
  constructor(t: Teardown, dir: string, command: string[], env: NodeJS.ProcessEnv, columns = 160, rows = 60) {
    this.#socket = join(dir, "tmux.sock")
    this.#env = env
    t.teardown(() => this.#tmux(["kill-server"], false))
    this.#tmux([
      "new-session",
      "-d",
      "-s",
      "main",
      "-x",
      String(columns),
      "-y",
      String(rows),
      "--",
      ...command,
    ])
  }

  #tmux(args: string[], check = true): string {
    const run = spawnSync("tmux", ["-S", this.#socket, ...args], { env: this.#env, encoding: "utf8" })
    if (check && run.status !== 0) throw new Error(`tmux ${args.join(" ")} failed: ${run.stderr}`)
    return run.stdout
  }

  /** Types `text` literally (no key names), without Enter. */
  type(text: string): void {
    this.#tmux(["send-keys", "-t", "main", "-l", text])
  }

  /** Presses tmux key names, e.g. "Enter", "C-c", "C-d". */
  press(...keys: string[]): void {
    this.#tmux(["send-keys", "-t", "main", ...keys])
  }

  /** The whole screen and its scrollback, wrapped lines joined, as plain text. */
  screen(): string {
    return this.#tmux(["capture-pane", "-p", "-J", "-S", "-", "-t", "main"])
  }

  /** Whether the program still runs (its session ends with it). */
  running(): boolean {
    return (
      spawnSync("tmux", ["-S", this.#socket, "has-session", "-t", "main"], { env: this.#env }).status === 0
    )
  }

  /** Resolves with the match once `pattern` shows on the screen; rejects after `ms`. */
  async waitFor(pattern: RegExp, ms: number): Promise<RegExpExecArray> {
    const deadline = Date.now() + ms
    for (;;) {
      const screen = this.screen()
      const match = pattern.exec(screen)
      if (match) return match
      if (Date.now() > deadline)
        throw new Error(`${pattern} did not show in ${ms} ms; the screen:\n${screen}`)
      await delay(POLL_MS)
    }
  }

  /** Resolves once the program has exited; rejects after `ms`. */
  async waitForExit(ms: number): Promise<void> {
    const deadline = Date.now() + ms
    while (this.running()) {
      if (Date.now() > deadline)
        throw new Error(`still running after ${ms} ms; the screen:\n${this.screen()}`)
      await delay(POLL_MS)
    }
  }
}
/* c8 ignore stop */
