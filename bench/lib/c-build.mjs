// Builds the C baselines (bench/c: raw libzmq, blocking API) with make, for the "C libzmq" column and
// for `--peer c`. Needs a C compiler and libzmq's headers (Debian: gcc make libzmq3-dev); without them the
// C column reads n/a and the rest of the bench runs as usual.
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"

/** Where the built programs are: bench/c/build/{push_pull,pingpong,pipeline,pubsub}. */
export const C_BUILD_DIR = fileURLToPath(new URL("../c/build/", import.meta.url))

/** Builds (or brings up to date) the C programs. Returns `null` on success, else the reason in one line. */
export function buildCPrograms() {
  const result = spawnSync("make", ["-s", "-C", fileURLToPath(new URL("../c/", import.meta.url))], {
    encoding: "utf8",
  })
  if (result.error) return `make: ${result.error.message}`
  if (result.status !== 0) {
    const firstError =
      result.stderr.split("\n").find((line) => /error/i.test(line)) ?? `exit status ${result.status}`
    return `make -C bench/c failed: ${firstError.trim()}`
  }
  return null
}
