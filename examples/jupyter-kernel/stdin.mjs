import { log } from "./log.mjs"

// `await input(prompt)` and `await password(prompt)`: an input_request on the stdin channel to the
// frontend that sent the running cell, answered by its input_reply.
export class StdinNotAllowed extends Error {
  name = "StdinNotImplementedError"
}

export class Stdin {
  /** `output` knows the running cell's origin; `send` reaches the channels worker. */
  constructor(output, send) {
    Object.assign(this, { output, send })
    this.waiting = null // { resolve, header } of the pending request
  }

  /** Asks the frontend for a line of text (hidden when `password`); resolves to what the user typed. */
  ask(prompt = "", password = false) {
    const origin = this.output.origin
    if (!origin.allowStdin) return Promise.reject(new StdinNotAllowed("this frontend does not support input"))
    return new Promise((resolve) => {
      this.waiting = { resolve }
      const content = { prompt: String(prompt), password }
      this.send("stdin", { msgType: "input_request", content, parent: origin.header }, origin.identities)
    })
  }

  /** An input_reply from the stdin channel. */
  reply(request) {
    const waiting = this.waiting
    this.waiting = null
    if (request.header.msg_type !== "input_reply" || !waiting)
      return log(`unexpected ${request.header.msg_type} on stdin, ignored`)
    waiting.resolve(String(request.content?.value ?? ""))
  }
}
