// Stack contexts around ZMQStream callbacks (pyzmq 2.x wraps on_recv/on_send/set_close_callback callbacks
// with stack_context.wrap and runs its own handler under NullContext).
import * as zmq from "zeromq"
import { ExceptionStackContext, StackContext } from "@zmq-eventloop/stack-context"
import { ZMQStream } from "../src/index.js"
import { bindAny, deferred, loopTest } from "./helpers/loop.js"

loopTest(
  "an ExceptionStackContext active at onRecv time handles the recv callback's error",
  async (t, { loop, logger, track }) => {
    const pull = track(new zmq.Pull())
    const push = track(new zmq.Push())
    push.connect(await bindAny(pull))
    const stream = new ZMQStream(pull, loop)
    const handled = deferred<unknown>()
    new ExceptionStackContext((error) => {
      handled.resolve(error)
      return true
    }).run(() =>
      stream.onRecv(() => {
        throw new Error("from the callback")
      }),
    )
    await push.send("x")
    t.equal(((await handled.wait("the handler")) as Error).message, "from the callback")
    t.same(logger.at("error"), [], "handled: nothing logged")
    t.notOk(stream.closed())
    stream.close()
  },
)

loopTest(
  "send, per-send and close callbacks run in the contexts active where they were registered, not where they fire",
  async (t, { loop, track }) => {
    const pull = track(new zmq.Pull())
    const push = track(new zmq.Push())
    push.connect(await bindAny(pull))
    const stream = new ZMQStream(push, loop)
    const active: string[] = []
    const named = (name: string) =>
      new StackContext((run) => {
        active.push(name)
        try {
          return run()
        } finally {
          active.pop()
        }
      })
    const seen: Record<string, string[]> = {}
    const done = deferred()
    named("onSend").run(() => stream.onSend(() => (seen.onSend = [...active])))
    named("send").run(() => stream.send("x", { callback: () => (seen.callback = [...active]) }))
    named("close").run(() =>
      stream.setCloseCallback(() => {
        seen.close = [...active]
        done.resolve()
      }),
    )
    await pull.receive()
    while (!seen.onSend) await new Promise<void>((resolve) => loop.addCallback(() => resolve()))
    named("caller").run(() => stream.close())
    await done.wait("the close callback")
    t.same(seen.onSend, ["onSend"])
    t.same(seen.callback, ["send"])
    // close() runs the callback synchronously inside the caller's context, which stays on the real call stack
    // (as in tornado); the callback's own context is re-entered innermost.
    t.equal(seen.close!.at(-1), "close")
  },
)

loopTest(
  "the drain callback runs in the contexts active at onDrain time; its error goes to their handler",
  async (t, { loop, logger, track }) => {
    const push = track(new zmq.Push({ sendHighWaterMark: 1 }))
    const pull = track(new zmq.Pull({ receiveHighWaterMark: 1 }))
    pull.connect(await bindAny(push, "inproc"))
    const stream = new ZMQStream(push, { ioLoop: loop, sendQueueLimit: { maxMessages: 2 } })
    const handled = deferred<unknown>()
    new ExceptionStackContext((error) => {
      handled.resolve(error)
      return true
    }).run(() =>
      stream.onDrain(() => {
        throw new Error("from onDrain")
      }),
    )
    const answers = await new Promise<boolean[]>((resolve) =>
      loop.addCallback(() => resolve(["a", "b", "c", "d", "e"].map((text) => stream.send(text)))),
    )
    t.equal(answers.at(-1), false, "the queue reached its limit")
    for (let i = 0; i < 5; i++) await pull.receive()
    t.equal(((await handled.wait("the drain callback's error")) as Error).message, "from onDrain")
    t.same(logger.at("error"), [], "handled: nothing logged")
  },
)
