// Driven by verify-offsets.sh under gdb: one zeromq.js socket through the calls whose native code the
// gdb script breaks in (Bind with its worker-thread zmq_bind, Close, Bind again after the close).
import { createRequire } from "node:module"

const zmq = createRequire(import.meta.url)("zeromq")
const socket = new zmq.Dealer()
console.log(`JS: ZMQ_TYPE ${socket.getInt32Option(16)}, ZMQ_FD ${socket.getInt32Option(14)}`)
await socket.bind("inproc://verify-offsets")
socket.close()
try {
  await socket.bind("inproc://verify-offsets-again")
} catch (error) {
  console.log(`JS: bind after close: ${error.code}`)
}
