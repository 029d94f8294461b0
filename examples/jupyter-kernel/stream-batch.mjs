// Stream text on its way to iopub, batched in the channels worker as ipykernel's OutStream batches it
// on a thread of its own: the main thread hands over each write at once, so text a cell prints before
// a long synchronous stretch is published while that stretch runs. Consecutive writes to the same
// stream for the same request go out as one `stream` message, STREAM_FLUSH_MS after the first of them,
// or earlier: before any other message the kernel sends, so outputs keep their order and every output
// of a cell precedes its `status: idle`.
const STREAM_FLUSH_MS = 50

/** @typedef {{ msg_id?: string }} ParentHeader */

export class StreamBatch {
  /**
   * `loop` (the worker's IOLoop) times the flushes; `publish(name, text, parent)` sends one `stream`
   * message.
   * @param {import("@zmq-eventloop/ioloop").IOLoop} loop
   * @param {(name: string, text: string, parent: ParentHeader) => void} publish
   */
  constructor(loop, publish) {
    this.loop = loop
    this.publish = publish
    /** @type {{ name: string, text: string, parent: ParentHeader }[]} */
    this.pending = []
    this.timeout = null
  }

  /** Queues `text` written to stream `name` ("stdout" or "stderr") by the request with header `parent`. */
  add(name, text, parent) {
    const last = this.pending.at(-1)
    // Headers arrive as copies (postMessage), so the same request is told by its msg_id.
    if (last && last.name === name && last.parent.msg_id === parent.msg_id) last.text += text
    else this.pending.push({ name, text, parent })
    this.timeout ??= this.loop.callLater(STREAM_FLUSH_MS, () => this.flush())
  }

  /** Publishes the queued text now. */
  flush() {
    if (this.timeout) this.loop.removeTimeout(this.timeout)
    this.timeout = null
    const pending = this.pending
    this.pending = []
    for (const { name, text, parent } of pending) this.publish(name, text, parent)
  }
}
