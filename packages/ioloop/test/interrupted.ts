// retryInterrupted: a libzmq call that a signal interrupted (EINTR) did nothing and is made again; any other
// error is the caller's. Where it is used: test/signals.ts in zmqstream (a Poller and a stream's forwarded
// socket calls under a flood of SIGPROF).
import t from "tap"
import { retryInterrupted } from "../src/handlers/interrupted.js"

const eintr = () => Object.assign(new Error("Interrupted system call"), { code: "EINTR", errno: 4 })

t.test("a call that fails with EINTR is made again until it returns", async (t) => {
  let calls = 0
  const result = retryInterrupted(() => {
    if (++calls < 3) throw eintr()
    return "done"
  })
  t.equal(result, "done")
  t.equal(calls, 3)
})

t.test("any other error is thrown at once", async (t) => {
  let calls = 0
  const busy = Object.assign(new Error("Socket is blocked"), { code: "EBUSY" })
  t.throws(
    () =>
      retryInterrupted(() => {
        calls++
        throw busy
      }),
    busy,
  )
  t.equal(calls, 1)
  t.throws(
    () =>
      retryInterrupted(() => {
        throw null
      }),
    "a thrown null is not an EINTR either",
  )
})
