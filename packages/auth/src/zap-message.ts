// The ZAP 1.0 wire format (ZeroMQ RFC 27/ZAP). libzmq sends each request from the session being
// authenticated, over an inproc pipe to whatever socket is bound at ZAP_ENDPOINT in the context, as
// `[empty delimiter, version, request id, domain, address, identity, mechanism, ...credentials]`; a ROUTER
// sees the pipe's routing id in front. The reply goes back the same way as
// `[envelope..., version, request id, status code, status text, user id, metadata]`.

/** Where libzmq looks for the ZAP handler of a context. */
export const ZAP_ENDPOINT = "inproc://zeromq.zap.01"

/** The only ZAP version there is. */
export const ZAP_VERSION = "1.0"

/** A ZAP status code: 200 success, 300 temporary error, 400 authentication failure, 500 internal error. */
export type ZapStatusCode = "200" | "300" | "400" | "500"

/** What to answer: a status code and its text ("OK", or why not). */
export interface Verdict {
  readonly statusCode: ZapStatusCode
  readonly statusText: string
}

export const ALLOWED: Verdict = { statusCode: "200", statusText: "OK" }

/** A refusal (status 400) for `reason`. */
export function refused(reason: string): Verdict {
  return { statusCode: "400", statusText: reason }
}

/**
 * A message as the ROUTER received it, split into the routing envelope (the routing ids up to and with the
 * empty delimiter, to send back in front of the reply) and the request's frames; `null` when there is no
 * delimiter (a REP socket, as pyzmq's handler is, drops such a message too).
 */
export function splitEnvelope(message: Buffer[]): { envelope: Buffer[]; frames: Buffer[] } | null {
  // The first frame is a routing id, never empty: libzmq refuses empty routing ids.
  const delimiter = message.findIndex((frame, index) => index > 0 && frame.length === 0)
  if (delimiter === -1) return null
  return { envelope: message.slice(0, delimiter + 1), frames: message.slice(delimiter + 1) }
}

/** A frame for a log line: quoted text when it is printable ASCII, else `0x` and its hex digits. */
export function describeFrame(frame: Buffer): string {
  const printable = frame.every((byte) => byte >= 0x20 && byte < 0x7f)
  return printable ? JSON.stringify(frame.toString("latin1")) : `0x${frame.toString("hex")}`
}

/** Frames for a log line: `["1.0", "1", 0x00ff]`. */
export function describeFrames(frames: Buffer[]): string {
  return `[${frames.map(describeFrame).join(", ")}]`
}
