// The send queue's ring (src/send/send-queue.ts) on its own: order across wrap-around and growth, one-part and
// multipart messages, byte counts, truncation. The streams' suites check it again through real sockets.
import t from "tap"
import { SendQueue } from "../src/send/send-queue.js"
import { partsOf, type Part, type QueuedMessage } from "../src/send/parts.js"
import { UserCallback } from "../src/stream-callbacks.js"

const message = (parts: Part[], bytes = parts.length): QueuedMessage => ({
  body: parts.length === 1 ? parts[0]! : parts,
  sendOptions: undefined,
  callback: null,
  bytes,
})

t.test("messages come out in order, whole, across wrap-around and growth", async (t) => {
  const queue = new SendQueue()
  const expected: string[][] = []
  let next = 0
  const put = () => {
    const parts = next % 3 === 0 ? [`m${next}`, "second"] : [`m${next}`]
    expected.push(parts)
    queue.push(message(parts))
    next++
  }
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < round; i++) put() // the ring grows while it wraps
    for (let i = 0; i < Math.min(queue.length, 7); i++) {
      t.same(partsOf(queue.at(0)), expected.shift(), `round ${round}`)
      queue.shift()
    }
  }
  t.equal(queue.length, expected.length)
  for (let i = 0; i < queue.length; i++) t.same(partsOf(queue.at(i)), expected[i])
})

t.test("queuedBytes is the sum of the messages' bytes; truncate keeps the oldest", async (t) => {
  const queue = new SendQueue()
  for (let i = 1; i <= 10; i++) queue.push(message([`m${i}`], i))
  t.equal(queue.queuedBytes, 55)
  queue.shift()
  t.equal(queue.queuedBytes, 54)
  queue.truncate(2)
  t.equal(queue.length, 2)
  t.equal(queue.queuedBytes, 2 + 3)
  t.same([partsOf(queue.at(0)), partsOf(queue.at(1))], [["m2"], ["m3"]])
  queue.truncate(0)
  t.equal(queue.length, 0)
  t.equal(queue.queuedBytes, 0)
  queue.push(message(["again"], 5))
  t.same(queue.at(0), message(["again"], 5), "usable after it emptied (and shrank)")
})

t.test("send options and callbacks stay with their message, when only some messages have them", async (t) => {
  const queue = new SendQueue()
  const callback = new UserCallback(
    () => {},
    () => {},
    undefined,
  )
  const options = { routingId: "peer" }
  const nth = (i: number): QueuedMessage => ({
    body: `m${i}`,
    sendOptions: i % 5 === 0 ? options : undefined,
    callback: i % 7 === 0 ? callback : null,
    bytes: 1,
  })
  for (let cycle = 0; cycle < 3; cycle++) {
    // The first message with a callback comes only after the ring grew a few times; then it wraps.
    for (let i = 1; i <= 40; i++) queue.push(nth(i))
    for (let i = 1; i <= 20; i++) {
      t.same(queue.at(0), nth(i))
      queue.shift()
    }
    for (let i = 41; i <= 70; i++) queue.push(nth(i))
    for (let i = 21; i <= 70; i++) {
      t.same(queue.at(0), nth(i), `cycle ${cycle}`)
      queue.shift()
    }
    t.equal(queue.length, 0)
  }
  queue.push(nth(1))
  t.same(queue.at(0), nth(1), "after emptying, a message without either has neither")
})

t.test("order and counts hold across chunks of the queue (thousands of messages)", async (t) => {
  const queue = new SendQueue()
  const expected: string[] = []
  let next = 0
  const put = (count: number) => {
    for (let i = 0; i < count; i++, next++) {
      expected.push(`m${next}`)
      queue.push(message([`m${next}`], 2))
    }
  }
  const take = (count: number) => {
    let inOrder = true
    for (let i = 0; i < count; i++) {
      if (partsOf(queue.at(0))[0] !== expected.shift()) inOrder = false
      queue.shift()
    }
    t.ok(inOrder, `took ${count} in order`)
  }
  put(5000)
  take(3000)
  put(4500)
  t.equal(queue.length, expected.length)
  t.equal(queue.queuedBytes, 2 * expected.length)
  const all = Array.from({ length: queue.length }, (_, i) => partsOf(queue.at(i))[0])
  t.same(all, expected, "at(i) reads every message in place")
  queue.truncate(2100)
  expected.length = 2100
  t.equal(queue.queuedBytes, 2 * 2100)
  take(2100)
  t.equal(queue.length, 0)
  t.equal(queue.queuedBytes, 0)
  put(3)
  take(3)
  const unused = new SendQueue()
  unused.truncate(0)
  t.equal(unused.length, 0, "truncating a queue that never held a message is a no-op")
})
