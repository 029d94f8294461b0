// zeromq.js runs bind()/unbind() on a worker thread, and libzmq sockets are not thread-safe: while one runs,
// the loop must not touch the socket, not even to read ZMQ_EVENTS (libzmq was seen to abort when it did).
// A real Router whose getInt32Option also records whether a bind was in flight when ZMQ_EVENTS was read.
import * as zmq from "zeromq"
import { ZMQStream } from "../src/index.js"
import { deferred, loopTest } from "./helpers/loop.js"

const ZMQ_EVENTS = 15

// zeromq.js makes its sockets non-extensible, so the record lives beside them.
const watch = { binding: 0, readsWhileBinding: 0 }

class WatchedRouter extends zmq.Router {
  override async bind(address: string): Promise<void> {
    watch.binding++
    try {
      await super.bind(address)
    } finally {
      watch.binding--
    }
  }
  protected override getInt32Option(option: number): number {
    if (option === ZMQ_EVENTS && watch.binding > 0) watch.readsWhileBinding++
    return super.getInt32Option(option)
  }
}

loopTest(
  "the loop leaves a socket alone while zeromq.js binds it on a worker",
  async (t, { loop, track }) => {
    watch.readsWhileBinding = 0
    const router = track(new WatchedRouter())
    const stream = new ZMQStream(router, loop)
    const got = deferred<string>()
    stream.onRecv(([, payload]) => got.resolve(String(payload)))
    // Keep the loop busy with the socket meanwhile: a timer pokes it on every iteration.
    let poking = true
    const poke = () => {
      void router.readable // noted: the loop re-checks the socket
      if (poking) loop.addCallback(poke)
    }
    loop.addCallback(poke)
    const ports: number[] = []
    for (let i = 0; i < 10; i++) ports.push(await stream.bindToRandomPort("tcp://127.0.0.1"))
    poking = false
    const dealer = track(new zmq.Dealer())
    dealer.connect(`tcp://127.0.0.1:${ports[0]}`)
    await dealer.send("after the binds")
    t.equal(await got.wait("a message after the binds"), "after the binds", "the stream still works")
    t.equal(watch.readsWhileBinding, 0, "no ZMQ_EVENTS read while a bind ran")
    stream.close()
  },
)
