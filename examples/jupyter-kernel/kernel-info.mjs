// What the kernel says about itself in kernel_info_reply (protocol 5.4).
import { PROTOCOL_VERSION } from "./session.mjs"

export const KERNEL_NAME = "zmq-eventloop-js"
export const DISPLAY_NAME = "JavaScript (zmq-eventloop)"
const VERSION = "0.2.0"

/** The content of a kernel_info_reply; `interruptMode` is the one the kernelspec declares. */
export function kernelInfo(interruptMode) {
  return {
    status: "ok",
    protocol_version: PROTOCOL_VERSION,
    implementation: KERNEL_NAME,
    implementation_version: VERSION,
    language_info: {
      name: "javascript",
      version: process.versions.node,
      mimetype: "application/javascript",
      file_extension: ".js",
      pygments_lexer: "javascript",
      codemirror_mode: "javascript",
    },
    banner: `Node.js ${process.version} on zmq-eventloop (interrupt mode: ${interruptMode}); try display.html("<b>hi</b>")`,
    help_links: [{ text: "Node.js documentation", url: "https://nodejs.org/docs/latest/api/" }],
  }
}
