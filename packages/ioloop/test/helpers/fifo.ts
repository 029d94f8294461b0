// A FIFO for the tests that watch plain file descriptors.
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

interface Teardown {
  teardown(fn: () => unknown): void
}

/**
 * A FIFO opened at both ends, non-blocking, closed (and its directory removed) when the test ends; with
 * `closesEnds`, the test closes the ends itself (to see a hang-up) and only the directory is removed.
 */
export function makeFifo(t: Teardown, { closesEnds = false } = {}): { readFd: number; writeFd: number } {
  const dir = fs.mkdtempSync(join(tmpdir(), "zmq-eventloop-fifo-"))
  const path = join(dir, "fifo")
  execFileSync("mkfifo", [path])
  const readFd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK)
  const writeFd = fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK)
  t.teardown(() => {
    if (!closesEnds) {
      fs.closeSync(readFd)
      fs.closeSync(writeFd)
    }
    fs.rmSync(dir, { recursive: true })
  })
  return { readFd, writeFd }
}
