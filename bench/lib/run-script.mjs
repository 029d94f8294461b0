// Runs one benchmark script (or C program) in its own process group, kills the whole group
// (the script and its peer) after `timeoutMs` or as soon as the script exits
// (no straggling peer outlives its run), and returns its last JSON line or the
// first line of its error.
import { spawn } from "node:child_process"

// Ctrl-C on the driver must not leave a detached benchmark running.
const running = new Set()
process.on("SIGINT", () => {
  for (const pid of running) killGroup(pid)
  process.exit(130)
})

export function runScript(script, args, { timeoutMs, nodeArgs = [], env = {}, executable = false }) {
  const started = performance.now()
  // `executable`: a program of its own (the C baselines), not a node script.
  const [command, argv] = executable
    ? [script, args.map(String)]
    : [process.execPath, [...nodeArgs, script, ...args.map(String)]]
  const child = spawn(command, argv, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
    detached: true, // its own process group, so that the peer can be killed with it
  })
  running.add(child.pid)
  let stdout = ""
  let stderr = ""
  child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk))
  child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk))
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    killGroup(child.pid)
  }, timeoutMs)
  child.on("exit", () => {
    running.delete(child.pid)
    killGroup(child.pid)
  })
  return new Promise((resolve) => {
    const finish = (code, spawnError) => {
      clearTimeout(timer)
      const wallS = (performance.now() - started) / 1e3
      const line = lastJsonLine(stdout)
      const text = stdout
        .trim()
        .split("\n")
        .filter((l) => !l.startsWith("{")) // what it printed for people
      if (code === 0 && line) resolve({ ok: true, wallS, line, text })
      else
        resolve({
          ok: false,
          wallS,
          text,
          error: errorLine(spawnError, timedOut, timeoutMs, stderr, code),
          stderr,
        })
    }
    child.on("error", (err) => finish(null, err))
    child.on("close", (code, signal) => finish(code ?? signal))
  })
}

function killGroup(pid) {
  try {
    process.kill(-pid, "SIGKILL")
  } catch {
    // already gone
  }
}

function lastJsonLine(stdout) {
  const line = stdout.split("\n").findLast((l) => l.startsWith("{"))
  try {
    return line && JSON.parse(line)
  } catch {
    return null
  }
}

// The line that says what went wrong: Node prints a source excerpt before the
// error itself ("SyntaxError: ...", "Error [ERR_MODULE_NOT_FOUND]: ..."), so
// take the first line that names an error, else the first line at all.
function errorLine(spawnError, timedOut, timeoutMs, stderr, code) {
  if (spawnError) return spawnError.message
  if (timedOut) return `killed after ${timeoutMs / 1000} s`
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
  const named = lines.find((l) => /^([A-Za-z]*Error\b|watchdog:)/.test(l))
  return named ?? lines[0] ?? `exit code ${code}, no JSON line`
}
