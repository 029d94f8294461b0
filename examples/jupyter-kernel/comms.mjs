// Comms (the messages widget libraries use): the `comms` global lets cells register targets that
// frontends can open, and open comms to frontend targets.
//
//   comms.registerTarget("echo", (comm, data) => comm.onMsg((data) => comm.send(data)))
//   const comm = comms.open("jupyter.widget", { state }); comm.send({ ... }); comm.close()
import { randomUUID } from "node:crypto"

/** One end of a comm; messages to the frontend go out on iopub with the current cell's parent. */
export class Comm {
  constructor(comms, id, targetName) {
    Object.assign(this, { comms, id, targetName })
    this.msgHandler = null
    this.closeHandler = null
  }

  /** Sends `data` (JSON) and optional binary `buffers` to the frontend. */
  send(data = {}, metadata = {}, buffers = []) {
    this.comms.output.publish("comm_msg", { comm_id: this.id, data }, { metadata, buffers })
  }

  /** Closes the comm (telling the frontend, with `data`). */
  close(data = {}) {
    if (!this.comms.open.delete(this.id)) return
    this.comms.output.publish("comm_close", { comm_id: this.id, data })
  }

  /** `handler(data, buffers)` gets each comm_msg from the frontend. */
  onMsg(handler) {
    if (typeof handler !== "function") throw new TypeError("comm.onMsg: handler must be a function")
    this.msgHandler = handler
  }

  /** `handler(data)` runs when the frontend closes the comm. */
  onClose(handler) {
    if (typeof handler !== "function") throw new TypeError("comm.onClose: handler must be a function")
    this.closeHandler = handler
  }
}

export class Comms {
  constructor(output) {
    this.output = output
    this.open = new Map() // comm id -> Comm
    this.targets = new Map() // target name -> handler(comm, data, buffers)
    this.api = {
      registerTarget: (name, handler) => {
        if (typeof handler !== "function")
          throw new TypeError("comms.registerTarget: handler must be a function")
        this.targets.set(String(name), handler)
      },
      open: (targetName, data = {}, metadata = {}) => {
        const comm = new Comm(this, randomUUID(), String(targetName))
        this.open.set(comm.id, comm)
        this.output.publish(
          "comm_open",
          { comm_id: comm.id, target_name: comm.targetName, data },
          { metadata },
        )
        return comm
      },
    }
  }

  /** Calls a user's handler; what it throws goes to the cell's stderr, and the kernel carries on. */
  callUser(what, handler, ...args) {
    try {
      handler?.(...args)
    } catch (error) {
      process.stderr.write(`${what} failed: ${error?.stack ?? error}\n`)
    }
  }

  /** The comms of a comm_info_reply (those of `targetName`, or all). */
  info(targetName) {
    const comms = {}
    for (const comm of this.open.values())
      if (targetName === undefined || targetName === comm.targetName)
        comms[comm.id] = { target_name: comm.targetName }
    return comms
  }

  /** comm_open from the frontend: an unknown target gets a comm_close back, as from ipykernel. */
  opened({ comm_id, target_name, data }, request) {
    const handler = this.targets.get(target_name)
    const comm = new Comm(this, comm_id, target_name)
    if (!handler) {
      process.stderr.write(`no comm target named ${JSON.stringify(target_name)}\n`)
      this.output.publish("comm_close", { comm_id, data: {} })
      return
    }
    this.open.set(comm_id, comm)
    this.callUser(`comm target ${target_name}`, handler, comm, data, request.buffers)
  }

  received({ comm_id, data }, request) {
    const comm = this.open.get(comm_id)
    if (comm) this.callUser(`comm ${comm_id} message handler`, comm.msgHandler, data, request.buffers)
  }

  closed({ comm_id, data }) {
    const comm = this.open.get(comm_id)
    if (!comm) return
    this.open.delete(comm_id)
    this.callUser(`comm ${comm_id} close handler`, comm.closeHandler, data)
  }
}
