// Two "requests" handled by chains of callbacks. Each chain keeps its request's log tag and error handler
// across callbacks scheduled for later, without passing them along by hand.
// Run: node packages/stack-context/examples/demo.mjs (after `pnpm build`)
import { ExceptionStackContext, StackContext, wrap } from "@zmq-eventloop/stack-context"

// A stand-in for IOLoop.addCallback: like every place that keeps a callback for later, it wraps it.
const later = (callback) => setImmediate(wrap(callback))

// A StackContext that sets the log tag while the code it covers runs.
let tag = "-"
const log = (message) => console.log(`[${tag}] ${message}`)
const tagged = (name) =>
  new StackContext((run) => {
    const saved = tag
    tag = name
    try {
      return run()
    } finally {
      tag = saved
    }
  })

// An ExceptionStackContext that answers 500 for whatever fails in the request's callbacks.
const answer500 = () =>
  new ExceptionStackContext((error) => {
    log(`failed: ${error.message} -> 500`)
    return true // handled: the error stops here
  })

function handleRequest(name, payload) {
  tagged(name).run(() =>
    answer500().run(() => {
      log("received")
      later(() => {
        log("parsing")
        later(() => {
          if (payload === "bad") throw new Error("bad payload")
          log("done -> 200")
        })
      })
    }),
  )
}

handleRequest("req-1", "good")
handleRequest("req-2", "bad")
log("both requests accepted")

// Beyond tornado: the rejection of an async function goes to the handler like a throw. (The around
// function covers only the synchronous part, so the tag is gone by then: "[-]".)
const result = await answer500().run(async () => {
  await new Promise((resolve) => later(resolve))
  throw new Error("req-3 timed out")
})
console.log(`req-3: run() resolved to ${result}`)
