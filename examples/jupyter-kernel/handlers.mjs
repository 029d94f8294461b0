// The kernel's request handlers: one method per message type of the shell and control channels, each
// answering on the channel the request came from and publishing on iopub what frontends display.
import { POLLOUT } from "@zmq-eventloop/zmqstream"
import { PROTOCOL_VERSION } from "./session.mjs"
import * as calc from "./language.mjs"

export const KERNEL_NAME = "zmq-eventloop-calc"
const VERSION = "0.1.0"
// History entries are (session, line, input) with session an integer: IPython numbers the sessions of its
// history database. calc keeps no database, so the only session it knows is this run's, number 1.
const HISTORY_SESSION = 1

export class Kernel {
  /**
   * `session` signs messages, `iopub` is the PUB stream, `log` writes a line to stderr and `shutdown` is
   * called once the shutdown reply is out.
   */
  constructor({ session, iopub, log, shutdown }) {
    Object.assign(this, { session, iopub, log, shutdown })
    this.executionCount = 0
    this.history = [] // [HISTORY_SESSION, line number, code] of each stored execution
  }

  /** The onRecv callback of the shell and control streams (Frames, as `{ copy: false }` delivers them). */
  async dispatch(stream, frames) {
    let request
    try {
      request = this.session.deserialize(frames)
    } catch (error) {
      return this.log(`dropped a message on ${stream.channel}: ${error.message}`)
    }
    const type = request.header.msg_type
    const handler = handlers[type]
    if (handler === undefined) return this.log(`unknown message type ${type} on ${stream.channel}`)
    this.publish("status", { execution_state: "busy" }, request.header)
    try {
      const [replyType, content] = handler.call(this, request.content, request)
      this.send(stream, replyType, content, request)
    } finally {
      this.publish("status", { execution_state: "idle" }, request.header)
    }
    // As ipykernel does: make sure the reply is sent before the next request is handled.
    await stream.flush(POLLOUT)
    if (type === "shutdown_request") this.shutdown()
  }

  /** Sends a reply to `request` on `stream`, to the client that sent it. */
  send(stream, msgType, content, request) {
    const message = this.session.message(msgType, content, request.header)
    stream.sendMultipart(this.session.serialize(message, request.identities))
  }

  /** Publishes on iopub, with ipykernel's topic `kernel.<session id>.<msg_type>`. */
  publish(msgType, content, parent = {}) {
    const message = this.session.message(msgType, content, parent)
    this.iopub.sendMultipart(this.session.serialize(message, [`kernel.${this.session.id}.${msgType}`]))
  }

  /** Publishes one output of calc.run(): echoed text as a stream message, a final value as a result. */
  publishOutput(output, count, parent) {
    if (output.stdout !== undefined) this.publish("stream", { name: "stdout", text: output.stdout }, parent)
    else {
      const content = { execution_count: count, data: { "text/plain": output.result }, metadata: {} }
      this.publish("execute_result", content, parent)
    }
  }
}

// Each handler gets (content, request) with `this` the Kernel, and returns [reply type, reply content].
const handlers = {
  kernel_info_request() {
    return [
      "kernel_info_reply",
      {
        status: "ok",
        protocol_version: PROTOCOL_VERSION,
        implementation: KERNEL_NAME,
        implementation_version: VERSION,
        language_info: {
          name: "calc",
          version: VERSION,
          mimetype: "text/plain",
          file_extension: ".calc",
          // Frontends highlight with the Pygments lexer of this name; without one, jupyter console looks
          // for a lexer named "calc" and warns that there is none. calc's operators are Python's.
          pygments_lexer: "python",
        },
        banner: "calc: arithmetic like 1 + 2 * 3 or sqrt(2) ** 2 is evaluated, anything else is echoed",
        help_links: [],
      },
    ]
  },

  execute_request({ code, silent = false, store_history = !silent, user_expressions = {} }, request) {
    if (!silent && store_history) this.executionCount++
    const count = this.executionCount
    const parent = request.header
    if (!silent) this.publish("execute_input", { code, execution_count: count }, parent)
    if (store_history) this.history.push([HISTORY_SESSION, count, code])
    let outputs
    try {
      outputs = calc.run(code)
    } catch (error) {
      if (!(error instanceof calc.CalcError)) throw error
      if (!silent) for (const output of error.outputs) this.publishOutput(output, count, parent)
      const failure = {
        ename: error.ename,
        evalue: error.message,
        traceback: [`${error.ename}: ${error.message}`],
      }
      if (!silent) this.publish("error", failure, parent)
      return ["execute_reply", { status: "error", execution_count: count, ...failure }]
    }
    if (!silent) for (const output of outputs) this.publishOutput(output, count, parent)
    const expressions = {}
    for (const [name, expression] of Object.entries(user_expressions)) {
      try {
        const last = calc.run(expression).at(-1)
        expressions[name] = { status: "ok", data: { "text/plain": last?.result ?? "" }, metadata: {} }
      } catch (error) {
        expressions[name] = { status: "error", ename: error.ename, evalue: error.message, traceback: [] }
      }
    }
    return [
      "execute_reply",
      { status: "ok", execution_count: count, user_expressions: expressions, payload: [] },
    ]
  },

  is_complete_request({ code }) {
    const status = calc.isComplete(code)
    return ["is_complete_reply", status === "incomplete" ? { status, indent: "" } : { status }]
  },

  complete_request({ code, cursor_pos = code.length }) {
    const { matches, start } = calc.complete(code, cursor_pos)
    return [
      "complete_reply",
      { status: "ok", matches, cursor_start: start, cursor_end: cursor_pos, metadata: {} },
    ]
  },

  inspect_request({ code, cursor_pos = code.length }) {
    const text = calc.inspect(code, cursor_pos)
    return [
      "inspect_reply",
      { status: "ok", found: text !== null, data: text ? { "text/plain": text } : {}, metadata: {} },
    ]
  },

  history_request({ hist_access_type = "tail", n = 10, session = 0, start = 0, stop = null, pattern = "*" }) {
    let history = this.history
    if (hist_access_type === "tail") history = history.slice(-n)
    else if (hist_access_type === "range") {
      // IPython's session numbers: 0 or less counts back from the current session.
      const wanted = session > 0 ? session : HISTORY_SESSION + session
      history = history.filter(
        ([number, line]) => number === wanted && line >= start && (stop === null || line < stop),
      )
    } else if (hist_access_type === "search") {
      const glob = new RegExp(
        `^${pattern
          .replace(/[.+^${}()|[\]\\]/g, "\\$&")
          .replace(/\*/g, ".*")
          .replace(/\?/g, ".")}$`,
        "s",
      )
      history = history.filter(([, , code]) => glob.test(code))
    }
    return ["history_reply", { status: "ok", history }]
  },

  comm_info_request() {
    return ["comm_info_reply", { status: "ok", comms: {} }] // this kernel opens no comms
  },

  interrupt_request() {
    // Every execution finishes synchronously, so by the time this is read nothing is running.
    return ["interrupt_reply", { status: "ok" }]
  },

  shutdown_request({ restart = false }, request) {
    this.publish("shutdown_reply", { status: "ok", restart }, request.header) // ipykernel also tells iopub
    return ["shutdown_reply", { status: "ok", restart }]
  },
}
