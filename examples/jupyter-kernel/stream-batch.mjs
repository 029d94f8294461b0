// Stream text on its way to iopub, batched in the channels worker as ipykernel's OutStream batches it
// on a thread of its own: the main thread hands over each write at once, so text a cell prints before
// a long synchronous stretch is published while that stretch runs. Writes to one stream for one request
// go out as one `stream` message, each stream's text batched apart as ipykernel keeps a buffer per stream
// (joined only when consecutive, a cell alternating stdout and stderr made a message per write, flooded
// iopub past its high-water mark, and lost lines and its `status: idle`: the frontend waited forever).
// A batch goes STREAM_FLUSH_MS after its first write, or earlier: before any other message the kernel
// sends, so outputs keep their order and every output of a cell precedes its `status: idle`, and as soon
// as FLUSH_UNITS are waiting (a flood goes out in messages of about that size, and the main thread, held
// by the backlog, goes on sooner).
import { StreamBacklog } from "./stream-backlog.mjs"

const STREAM_FLUSH_MS = 50
const FLUSH_UNITS = 256 * 1024

/** @typedef {{ msg_id?: string }} ParentHeader */

export class StreamBatch {
  /**
   * `loop` (the worker's IOLoop) times the flushes; `backlog` is told what was published;
   * `publish(name, text, parent)` sends one `stream` message.
   * @param {import("@zmq-eventloop/ioloop").IOLoop} loop
   * @param {StreamBacklog} backlog
   * @param {(name: string, text: string, parent: ParentHeader) => void} publish
   */
  constructor(loop, backlog, publish) {
    this.loop = loop
    this.backlog = backlog
    this.publish = publish
    /** @type {{ name: string, text: string, parent: ParentHeader, units: number }[]} */
    this.pending = []
    this.pendingUnits = 0
    this.timeout = null
  }

  /** Queues `text` written to stream `name` ("stdout" or "stderr") by the request with header `parent`. */
  add(name, text, parent) {
    const units = StreamBacklog.unitsOf(text)
    const last = this.pending.findLast((entry) => entry.name === name)
    // Headers arrive as copies (postMessage), so the same request is told by its msg_id. A write joins
    // its stream's last one only while their text stays under FLUSH_UNITS, far from V8's limit on a string.
    if (last && last.parent.msg_id === parent.msg_id && last.text.length + text.length <= FLUSH_UNITS) {
      last.text += text
      last.units += units
    } else {
      this.pending.push({ name, text, parent, units })
    }
    this.pendingUnits += units
    if (this.pendingUnits >= FLUSH_UNITS) this.flush()
    else this.timeout ??= this.loop.callLater(STREAM_FLUSH_MS, () => this.flush())
  }

  /** Publishes the queued text now. */
  flush() {
    if (this.timeout) this.loop.removeTimeout(this.timeout)
    this.timeout = null
    const pending = this.pending
    this.pending = []
    this.pendingUnits = 0
    for (const { name, text, parent, units } of pending) {
      this.publish(name, text, parent)
      this.backlog.remove(units)
    }
  }
}
