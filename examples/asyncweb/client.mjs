// Sends concurrent HTTP requests with distinct payloads to examples/asyncweb/server.mjs and checks that
// each gets its own answer. Exits 0 when all did; past --timeout it says how many are missing, exits 1.
//
//   node examples/asyncweb/client.mjs <url> [--requests N] [--timeout MS]   (defaults: 10, 30000 ms)
/* global fetch */ // Node >= 18
import { httpUrl, integerOption, parseCommandLine, timeoutOption } from "../lib/cli.mjs"
import { watchdog } from "../lib/deadline.mjs"

const {
  values: { requests: count, timeout },
  positionals: [url],
} = parseCommandLine({
  usage: "node examples/asyncweb/client.mjs <url> [--requests N] [--timeout MS]",
  options: {
    requests: integerOption("N", 10, "concurrent requests"),
    timeout: timeoutOption(30000),
  },
  positionals: { min: 1, max: 1, parse: [httpUrl] },
})
let answered = 0
const deadline = watchdog("asyncweb client", timeout, () => `${answered} of ${count} requests answered`)

const started = performance.now()
const results = await Promise.all(
  Array.from({ length: count }, async (_, n) => {
    const payload = `request ${n + 1}`
    let response, answer
    try {
      response = await fetch(url, { method: "POST", body: payload })
      answer = await response.text()
    } catch (error) {
      console.log(`BAD ${payload} -> ${error.cause?.code ?? error.message}`)
      return false
    }
    answered++
    const ok = response.status === 200 && answer.startsWith(`${payload} to you too`)
    console.log(`${ok ? "ok " : "BAD"} ${payload} -> ${response.status} ${answer}`)
    return ok
  }),
)
const good = results.filter(Boolean).length
console.log(
  `${good} of ${count} requests answered correctly in ${(performance.now() - started).toFixed(0)} ms`,
)
deadline.cancel()
process.exitCode = good === count ? 0 : 1
