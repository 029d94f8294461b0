// Error propagation and swallowing (tornado ≥ 3.1: only ExceptionStackContext swallows; errors keep their
// identity through any number of contexts, where tornado 2.x on Python 3 turned them into a TypeError).
import t from "tap"
import { ExceptionStackContext, StackContext, wrap } from "../src/index.js"

const passThrough = () => new StackContext((run) => run())
const notHandling = () => new ExceptionStackContext(() => false)
const catchingAround = () =>
  new StackContext((run) => {
    try {
      return run()
    } catch {
      return "caught by around"
    }
  })

t.test(
  "an unhandled error reaches the caller as the same object through three nested contexts",
  async (t) => {
    const error = new Error("boom")
    const throwing = () => {
      throw error
    }
    t.throws(() => passThrough().run(() => notHandling().run(() => catchingAround().run(throwing))), error)
    try {
      notHandling().run(() => passThrough().run(() => notHandling().run(throwing)))
      t.fail("did not throw")
    } catch (caught) {
      t.equal(caught, error, "same object")
    }
  },
)

t.test("an unhandled error of a wrapped callback reaches its caller as the same object", async (t) => {
  const error = { notEvenAnError: true }
  const wrapped = passThrough().run(() =>
    notHandling().run(() =>
      catchingAround().run(() =>
        wrap(() => {
          throw error
        }),
      ),
    ),
  )
  try {
    wrapped!()
    t.fail("did not throw")
  } catch (caught) {
    t.equal(caught, error)
  }
})

t.test("an around function that catches and does not re-throw does not swallow the error", async (t) => {
  const error = new Error("boom")
  let seen: unknown
  const ctx = new StackContext((run) => {
    try {
      run()
    } catch (e) {
      seen = e
    }
  })
  t.throws(
    () =>
      ctx.run(() => {
        throw error
      }),
    error,
  )
  t.equal(seen, error, "the around function saw the error")
})

t.test("an around function that throws its own error replaces the error of fn", async (t) => {
  const replacement = new Error("replacement")
  const ctx = new StackContext((run) => {
    try {
      run()
    } catch {
      throw replacement
    }
  })
  t.throws(
    () =>
      ctx.run(() => {
        throw new Error("original")
      }),
    replacement,
  )
})

t.test(
  "an error thrown by the around function before run reaches the caller and fn does not run",
  async (t) => {
    const error = new Error("set-up failed")
    let ran = false
    const ctx = new StackContext(() => {
      throw error
    })
    t.throws(
      () =>
        ctx.run(() => {
          ran = true
        }),
      error,
    )
    t.equal(ran, false)
  },
)

t.test("an error thrown while re-entering a context goes to the handlers outside it", async (t) => {
  const error = new Error("set-up failed")
  let handled: unknown
  let failing = false
  const wrapped = new ExceptionStackContext((e) => {
    handled = e
    return true
  }).run(() =>
    new StackContext((run) => {
      if (failing) throw error
      return run()
    }).run(() => wrap(() => "ran")),
  )
  t.equal(wrapped!(), "ran")
  failing = true
  t.equal(wrapped!(), undefined)
  t.equal(handled, error)
})

t.test("only a truthy handler result swallows, and swallowing ends the handler chain", async (t) => {
  const calls: string[] = []
  const handler = (name: string, result: unknown) =>
    new ExceptionStackContext(() => {
      calls.push(name)
      return result as boolean
    })
  const error = new Error("boom")
  const throwing = () => {
    throw error
  }
  const result = handler("outer", true).run(() =>
    handler("middle", "yes").run(() => handler("inner", 0).run(throwing)),
  )
  t.equal(result, undefined)
  t.same(calls, ["inner", "middle"], "innermost first; outer not called once middle swallowed")
})
