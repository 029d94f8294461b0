// The Jupyter wire protocol (messaging spec 5.4), the part jupyter_client's Session does: sign and verify
// with HMAC, and turn messages into frames and back:
//
//   [routing ids..., "<IDS|MSG>", hmac hex, header, parent_header, metadata, content, buffers...]
//
// The HMAC covers the four JSON frames, with the connection file's key and signature_scheme.
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto"

export const PROTOCOL_VERSION = "5.4"
const DELIMITER = Buffer.from("<IDS|MSG>")
const SEEN_SIGNATURES_MAX = 10000 // replay protection, bounded like jupyter_client's digest_history

export class Session {
  /** `key` and `signatureScheme` ("hmac-sha256") come from the connection file; an empty key signs nothing. */
  constructor({ key = "", signatureScheme = "hmac-sha256", username = "kernel" } = {}) {
    if (!signatureScheme.startsWith("hmac-"))
      throw new RangeError(`signatureScheme must be hmac-*, got ${signatureScheme}`)
    this.key = Buffer.from(key)
    this.digest = signatureScheme.slice("hmac-".length) // "sha256"
    createHmac(this.digest, "k") // throws now for a digest Node does not know
    this.id = randomUUID()
    this.username = username
    this.seen = new Set()
  }

  /** The hex HMAC of the four JSON frames ("" without a key). */
  sign(frames) {
    if (this.key.length === 0) return ""
    const hmac = createHmac(this.digest, this.key)
    for (const frame of frames) hmac.update(frame)
    return hmac.digest("hex")
  }

  /** A new message: `{ header, parent_header, metadata, content, buffers }`. */
  message(msgType, content, parent = {}, metadata = {}) {
    const header = {
      msg_id: randomUUID(),
      session: this.id,
      username: this.username,
      date: new Date().toISOString(),
      msg_type: msgType,
      version: PROTOCOL_VERSION,
    }
    return { header, parent_header: parent, metadata, content, buffers: [] }
  }

  /** The frames of `message`, addressed to `identities` (routing ids, or a PUB topic). */
  serialize(message, identities = []) {
    const json = [message.header, message.parent_header, message.metadata, message.content].map((part) =>
      Buffer.from(JSON.stringify(part)),
    )
    return [...identities, DELIMITER, this.sign(json), ...json, ...message.buffers]
  }

  /**
   * The message in `frames` (Buffers, or Frames from `onRecv(cb, { copy: false })`), with `identities`.
   * @throws Error when the frames are not a message or the signature is wrong or replayed.
   */
  deserialize(frames) {
    const buffers = frames.map((frame) => (Buffer.isBuffer(frame) ? frame : frame.buffer))
    const split = buffers.findIndex((buffer) => buffer.equals(DELIMITER))
    if (split < 0 || buffers.length < split + 6)
      throw new Error("not a Jupyter message (no <IDS|MSG> delimiter)")
    const [signature, ...json] = buffers.slice(split + 1, split + 6)
    if (this.key.length > 0) {
      const expected = Buffer.from(this.sign(json))
      if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
        throw new Error("Invalid signature")
      }
      const hex = signature.toString()
      if (this.seen.has(hex)) throw new Error("Duplicate signature (replayed message)")
      if (this.seen.size >= SEEN_SIGNATURES_MAX) this.seen.clear()
      this.seen.add(hex)
    }
    const [header, parent_header, metadata, content] = json.map((part) => JSON.parse(part.toString()))
    // A signed message is trusted to be well formed by nothing else: a header of null crashed the kernel.
    if (!isObject(header) || typeof header.msg_type !== "string" || typeof header.msg_id !== "string")
      throw new Error("Invalid Message: its header is not an object with a msg_type and a msg_id")
    if (![parent_header, metadata, content].every(isObject))
      throw new Error("Invalid Message: parent_header, metadata and content must be objects")
    return {
      identities: buffers.slice(0, split),
      header,
      parent_header,
      metadata,
      content,
      buffers: buffers.slice(split + 6),
    }
  }
}

/** Whether `value` is a JSON object (not null, not an array). */
function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value)
}
