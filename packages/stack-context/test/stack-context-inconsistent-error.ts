// tornado raised StackContextInconsistentError for a `yield` inside `with` (test_yield_in_with); with an
// AsyncLocalStorage that cannot happen, so the error now reports an around function breaking its contract.
import t from "tap"
import { StackContext, StackContextInconsistentError, wrap } from "../src/index.js"
import { deferred } from "./helpers/contexts.js"

t.test("an around function that returns without calling run makes run throw and fn not run", async (t) => {
  let ran = false
  const ctx = new StackContext(() => "forgot to call run")
  t.throws(
    () =>
      ctx.run(() => {
        ran = true
      }),
    { name: "StackContextInconsistentError", message: "the around function returned without calling run" },
  )
  t.equal(ran, false)
})

t.test("an around function that calls run twice gets the error from the second call", async (t) => {
  let runs = 0
  let second: unknown
  const ctx = new StackContext((run) => {
    run()
    try {
      run()
    } catch (error) {
      second = error
    }
  })
  t.equal(
    ctx.run(() => ++runs),
    1,
  )
  t.equal(runs, 1)
  t.type(second, StackContextInconsistentError)
  t.match(second, { message: "the around function called run twice" })
})

t.test("an around function that calls run after returning gets the error from that late call", async (t) => {
  const late = deferred<unknown>()
  const ctx = new StackContext((run) => {
    setImmediate(() => {
      try {
        run()
      } catch (error) {
        late.resolve(error)
      }
    })
  })
  t.throws(() => ctx.run(() => undefined), StackContextInconsistentError)
  const error = await late.promise
  t.type(error, StackContextInconsistentError)
  t.type(error, Error)
  t.match(error, { message: "the around function called run after it had returned" })
})

t.test("a wrapped callback re-entering a broken context throws StackContextInconsistentError", async (t) => {
  let broken = false
  const wrapped = new StackContext((run) => (broken ? undefined : run())).run(() => wrap(() => "ran"))
  t.equal(wrapped(), "ran")
  broken = true
  t.throws(() => wrapped(), StackContextInconsistentError)
})
