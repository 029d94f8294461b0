// Sends concurrent HTTP requests with distinct payloads to examples/asyncweb/server.mjs and checks that
// each gets its own answer. Exits 0 when all did.
//
//   node examples/asyncweb/client.mjs <url> [--requests N]      (default 10)
/* global fetch */ // Node >= 18
const [url] = process.argv.slice(2)
const i = process.argv.indexOf("--requests")
const count = i > 0 ? Number(process.argv[i + 1]) : 10
if (!url?.startsWith("http")) {
  console.error("usage: node examples/asyncweb/client.mjs <url> [--requests N]")
  process.exit(2)
}

const started = performance.now()
const results = await Promise.all(
  Array.from({ length: count }, async (_, n) => {
    const payload = `request ${n + 1}`
    const response = await fetch(url, { method: "POST", body: payload })
    const answer = await response.text()
    const ok = response.status === 200 && answer.startsWith(`${payload} to you too`)
    console.log(`${ok ? "ok " : "BAD"} ${payload} -> ${response.status} ${answer}`)
    return ok
  }),
)
const good = results.filter(Boolean).length
console.log(
  `${good} of ${count} requests answered correctly in ${(performance.now() - started).toFixed(0)} ms`,
)
process.exitCode = good === count ? 0 : 1
