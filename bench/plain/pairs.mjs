// Workload pairs on plain zeromq.js: PAIRS ROUTER<->DEALER pairs in one process.
//   pairs.mjs N PAIRS
// Each ROUTER echoes in a `for await` loop; each DEALER keeps one 64 B message
// in flight (`await send`, `await receive`). One untimed round trip per pair,
// then timed until N round trips in all came back (lib/pairs.mjs).
import { PLAIN } from "../lib/impls.mjs"
import { expectSize, runWorkload, seconds } from "../lib/common.mjs"
import { openPairs, pairsFields, PAIRS_MESSAGE_BYTES } from "../lib/pairs.mjs"

async function echo(router) {
  try {
    for await (const message of router) await router.send(message)
  } catch (error) {
    if (!router.closed) throw error
  }
}

async function pairs({ n, size: pairCount }) {
  const list = await openPairs(pairCount)
  const payload = Buffer.alloc(PAIRS_MESSAGE_BYTES)
  const echoes = list.map(({ router }) => echo(router))
  const roundTrip = async (dealer) => {
    await dealer.send(payload)
    const [reply] = await dealer.receive()
    expectSize(reply, PAIRS_MESSAGE_BYTES)
  }
  await Promise.all(list.map(({ dealer }) => roundTrip(dealer)))
  let done = 0
  const start = seconds()
  await Promise.all(
    list.map(async ({ dealer }) => {
      while (done < n) {
        await roundTrip(dealer)
        done++
      }
    }),
  )
  const elapsed = seconds() - start
  for (const { router, dealer } of list) {
    dealer.close()
    router.close()
  }
  await Promise.all(echoes)
  return pairsFields(done, pairCount, elapsed)
}

runWorkload({ impl: PLAIN.name, usage: "pairs.mjs N PAIRS", main: pairs, peerless: true })
