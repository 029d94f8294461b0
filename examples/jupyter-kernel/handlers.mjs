// The main thread's side of the kernel: shell requests, one at a time in arrival order as ipykernel
// handles them, each between `status: busy` and `status: idle` on iopub, with its outputs in between.
import { Comms } from "./comms.mjs"
import { codePointOffset, codeUnitOffset } from "./cursor.mjs"
import { createClearOutput, createDisplay, DisplayHandle, mimeBundle, plainText } from "./display.mjs"
import { Executor } from "./executor.mjs"
import { History } from "./history.mjs"
import { complete, inspect } from "./introspection.mjs"
import { isComplete } from "./is-complete.mjs"
import { kernelInfo } from "./kernel-info.mjs"
import { log } from "./log.mjs"
import { Output } from "./output.mjs"
import { Stdin } from "./stdin.mjs"

// `name?` or `?name` alone in a cell shows the pager, as in IPython (neither is valid JavaScript).
const HELP_SYNTAX = /^\s*(?:\?\s*([\w$.]+)|([\w$.]+)\s*\?)\s*$/

export class Kernel {
  /**
   * `send(channel, { msgType, content, parent, metadata, buffers }, identities)` sends through the
   * channels worker, `write(name, text, parent)` hands it stream text; `sync()` asks the worker to
   * answer "synced" once it has forwarded all it has read.
   */
  constructor({ interruptMode, send, write, sync }) {
    Object.assign(this, { interruptMode, send, sync })
    this.output = new Output(send, write)
    this.output.captureProcessStreams()
    this.executor = new Executor()
    this.history = new History()
    this.stdin = new Stdin(this.output, send)
    this.comms = new Comms(this.output)
    this.executionCount = 0
    this.queue = [] // shell requests not yet handled
    this.busy = false
    this.aborting = false // after a failed cell with stop_on_error: abort what was queued before it
    Object.assign(globalThis, {
      display: createDisplay(this.output),
      clear_output: createClearOutput(this.output),
      input: (prompt) => this.stdin.ask(prompt, false),
      password: (prompt) => this.stdin.ask(prompt, true),
      comms: this.comms.api,
    })
  }

  /** A verified message from the worker; `channel` is "shell", "control" or "stdin". */
  receive(channel, request) {
    if (channel === "stdin") return this.stdin.reply(request)
    this.queue.push({ channel, request })
    if (!this.busy) this.handleQueued()
  }

  async handleQueued() {
    this.busy = true
    while (this.queue.length > 0) {
      const { channel, request } = this.queue.shift()
      try {
        await this.handle(channel, request)
      } catch (error) {
        log(`${request.header?.msg_type} failed: ${error?.stack ?? error}`)
      }
    }
    this.busy = false
  }

  /** The worker has forwarded everything it had read before our sync(): stop aborting. */
  synced() {
    this.aborting = false
  }

  async handle(channel, request) {
    const type = request.header.msg_type
    const handler = Object.hasOwn(handlers, type) ? handlers[type] : undefined // not "toString"
    const origin = this.originOf(request)
    // Busy and idle for every request, one the kernel does not know too, as ipykernel's dispatch does.
    this.output.publish("status", { execution_state: "busy" }, { origin })
    try {
      if (handler === undefined) return log(`unknown message type ${type} on ${channel}, ignored`)
      let reply
      try {
        reply = await handler.call(this, request.content ?? {}, request)
      } catch (error) {
        // A request the handler cannot serve (a bad field, say) gets an error reply, not silence.
        log(`${type} failed: ${error?.stack ?? error}`)
        const failure = {
          status: "error",
          ename: error?.name ?? "Error",
          evalue: String(error?.message ?? error),
          traceback: [],
        }
        reply = type.endsWith("_request")
          ? [type.replace(/_request$/, "_reply"), failure, { status: "error" }]
          : null
      }
      if (reply) {
        const [msgType, content, metadata = {}] = reply
        this.send(channel, { msgType, content, parent: request.header, metadata }, request.identities)
      }
    } finally {
      this.output.publish("status", { execution_state: "idle" }, { origin })
    }
  }

  /** Where the output of code run for `request` (not a cell: no stdin) goes. */
  originOf(request) {
    return { header: request.header, identities: request.identities, allowStdin: false }
  }

  /** Stops running the execute requests queued now (and those the worker is forwarding) after a failure. */
  abortQueued() {
    this.aborting = true
    this.sync()
  }
}

const abortedReply = (count) => [
  "execute_reply",
  { status: "aborted", execution_count: count },
  { status: "aborted" },
]

// Each handler gets (content, request) with `this` the Kernel, and returns [reply type, content, metadata?].
const handlers = {
  kernel_info_request() {
    return ["kernel_info_reply", kernelInfo(this.interruptMode)]
  },

  async execute_request(
    {
      code,
      silent = false,
      store_history = !silent,
      user_expressions = {},
      allow_stdin = true,
      stop_on_error = true,
    },
    request,
  ) {
    if (typeof code !== "string")
      throw new TypeError(`execute_request: code must be a string, got ${typeof code}`)
    if (this.aborting) return abortedReply(this.executionCount)
    if (!silent && store_history) this.executionCount++
    const count = this.executionCount
    const origin = { header: request.header, identities: request.identities, allowStdin: allow_stdin }
    const announce = () =>
      !silent && this.output.publish("execute_input", { code, execution_count: count }, { origin })
    const help = code.match(HELP_SYNTAX)?.slice(1).find(Boolean)
    const outcome = help
      ? (announce(), { value: undefined, pager: inspect(help, 1) ?? { text: `${help} is not defined` } })
      : await this.output.runAs(origin, () => this.executor.run(code, `In[${count}]`, announce))
    const resultText = outcome.value === undefined ? null : plainText(outcome.value)
    if (store_history) this.history.add(count, code, resultText)
    if (outcome.error) {
      if (!silent) this.output.publish("error", outcome.error, { origin })
      if (stop_on_error) this.abortQueued()
      return [
        "execute_reply",
        { status: "error", execution_count: count, ...outcome.error },
        { status: "error" },
      ]
    }
    if (!silent && outcome.value !== undefined && !(outcome.value instanceof DisplayHandle)) {
      const content = { execution_count: count, data: mimeBundle(outcome.value), metadata: {} }
      this.output.publish("execute_result", content, { origin })
    }
    const payload = outcome.pager
      ? [{ source: "page", data: { "text/plain": outcome.pager.text }, start: 0 }]
      : []
    const expressions = {}
    for (const [name, expression] of Object.entries(user_expressions)) {
      const result = await this.executor.evaluate(expression, `<${name}>`)
      expressions[name] = result.error
        ? { status: "error", ...result.error }
        : { status: "ok", data: mimeBundle(result.value), metadata: {} }
    }
    return [
      "execute_reply",
      { status: "ok", execution_count: count, user_expressions: expressions, payload },
      { status: "ok" },
    ]
  },

  is_complete_request({ code }) {
    return ["is_complete_reply", isComplete(code)]
  },

  complete_request({ code, cursor_pos }) {
    const cursor = cursor_pos === undefined ? code.length : codeUnitOffset(code, cursor_pos)
    const { matches, start } = complete(code, cursor)
    const [cursorStart, cursorEnd] = [codePointOffset(code, start), codePointOffset(code, cursor)]
    return [
      "complete_reply",
      { status: "ok", matches, cursor_start: cursorStart, cursor_end: cursorEnd, metadata: {} },
    ]
  },

  inspect_request({ code, cursor_pos, detail_level = 0 }) {
    const cursor = cursor_pos === undefined ? code.length : codeUnitOffset(code, cursor_pos)
    const found = inspect(code, detail_level, cursor)
    return [
      "inspect_reply",
      { status: "ok", found: found !== null, data: found ? { "text/plain": found.text } : {}, metadata: {} },
    ]
  },

  history_request(content) {
    return ["history_reply", { status: "ok", history: this.history.query(content) }]
  },

  comm_info_request({ target_name }) {
    return ["comm_info_reply", { status: "ok", comms: this.comms.info(target_name) }]
  },

  comm_open(content, request) {
    this.output.runAs(this.originOf(request), () => this.comms.opened(content, request))
  },

  comm_msg(content, request) {
    this.output.runAs(this.originOf(request), () => this.comms.received(content, request))
  },

  comm_close(content, request) {
    this.output.runAs(this.originOf(request), () => this.comms.closed(content, request))
  },
}
