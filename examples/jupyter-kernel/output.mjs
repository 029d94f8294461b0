// Where a cell's output goes: every write to process.stdout/process.stderr (console.log and friends
// included) becomes a `stream` message on iopub, and display_data & co. go out through `publish`. Each
// output carries the parent header of the cell that caused it, even when it comes from a timer or a
// promise that settles after the cell has finished: the cell runs inside an AsyncLocalStorage context,
// which Node carries into every callback the cell schedules.
import { AsyncLocalStorage } from "node:async_hooks"

/** @typedef {{ header: object, identities: Buffer[], allowStdin: boolean }} CellOrigin */

export class Output {
  /**
   * `send(channel, message, identities)` hands a message to the channels worker, `write(name, text,
   * parent)` stream text, which the worker batches (stream-batch.mjs) and publishes before whatever is
   * sent after it.
   */
  constructor(send, write) {
    this.send = send
    this.writeStream = write
    /** @type {AsyncLocalStorage<CellOrigin>} */
    this.origins = new AsyncLocalStorage()
    this.lastOrigin = { header: {}, identities: [], allowStdin: false }
  }

  /** The request whose output is being written now (the last cell's, outside any cell). */
  get origin() {
    return this.origins.getStore() ?? this.lastOrigin
  }

  /** Runs `fn` as the code of `origin`: its output, now and later, goes out with that parent header. */
  runAs(origin, fn) {
    this.lastOrigin = origin
    return this.origins.run(origin, fn)
  }

  /** Publishes `content` as a `msgType` message on iopub (after the stream text written before it). */
  publish(msgType, content, { origin = this.origin, metadata = {}, buffers = [] } = {}) {
    this.send("iopub", { msgType, content, parent: origin.header, metadata, buffers })
  }

  /** Sends `text` to the `name` stream ("stdout" or "stderr") of the current cell, now. */
  write(name, text) {
    if (text !== "") this.writeStream(name, text, this.origin.header)
  }

  /** Sends process.stdout/stderr writes (and so console output) to the streams of the current cell. */
  captureProcessStreams() {
    for (const name of ["stdout", "stderr"]) {
      process[name].write = (chunk, encoding, callback) => {
        if (typeof encoding === "function") callback = encoding
        const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString()
        this.write(name, text)
        if (callback) process.nextTick(callback)
        return true
      }
    }
  }
}
