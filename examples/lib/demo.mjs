// Helpers for examples/run.mjs's demo mode: start example programs as child processes (the way the
// README runs them), relay their output with a name prefix, wait for a line, and stop them all.
import { spawn } from "node:child_process"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"

const examplesDir = fileURLToPath(new URL("..", import.meta.url))
const children = new Set()

/** Starts `node examples/<script> ...args`; output lines are printed as `[name] line`. */
export function start(name, script, args = []) {
  const child = spawn(process.execPath, [examplesDir + script, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  })
  children.add(child)
  const waiters = []
  const lines = [] // every line so far, so waitFor also sees lines printed before it was called
  const exited = new Promise((resolve) =>
    child.once("exit", (code, signal) => {
      children.delete(child)
      for (const w of waiters) w.reject(new Error(`${name} exited (${signal ?? code}) before "${w.pattern}"`))
      resolve(code ?? signal)
    }),
  )
  for (const [stream, out] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ]) {
    createInterface({ input: stream }).on("line", (line) => {
      out.write(`[${name}] ${line}\n`)
      lines.push(line)
      for (const w of [...waiters]) {
        const match = w.pattern.exec(line)
        if (match) {
          waiters.splice(waiters.indexOf(w), 1)
          w.resolve(match)
        }
      }
    })
  }
  /** Resolves with the match of the first output line matching `pattern`, within `ms`. */
  const waitFor = (pattern, ms = 10000) =>
    new Promise((resolve, reject) => {
      const seen = lines.map((line) => pattern.exec(line)).find(Boolean)
      if (seen) return resolve(seen)
      const timer = setTimeout(
        () => reject(new Error(`${name}: no line matching ${pattern} in ${ms} ms`)),
        ms,
      )
      const done = (f) => (value) => (clearTimeout(timer), f(value))
      waiters.push({ pattern, resolve: done(resolve), reject: done(reject) })
    })
  return { child, exited, waitFor }
}

/** Sends SIGTERM to every child still running and waits until they have exited. */
export async function stopAll() {
  await Promise.all(
    [...children].map((child) => {
      const exited = new Promise((resolve) => child.once("exit", resolve))
      child.kill("SIGTERM")
      return exited
    }),
  )
}

// Never leave children behind, even when the demo fails or is interrupted.
process.once("exit", () => children.forEach((child) => child.kill("SIGKILL")))
