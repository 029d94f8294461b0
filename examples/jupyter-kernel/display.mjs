// Rich output: the MIME bundle of a value, and the `display` API user code gets as a global.
//
// The JS form of IPython's `_repr_*_` convention: an object with any of the methods
// `_repr_html_`, `_repr_markdown_`, `_repr_svg_`, `_repr_png_`, `_repr_jpeg_`, `_repr_json_`,
// `_repr_latex_`, `_repr_javascript_` (each returning the data for its MIME type; png/jpeg as a
// Buffer or base64 text) or `_repr_mimebundle_` (returning `{ mime: data }`) is shown with those types,
// next to the `text/plain` of util.inspect. A method that throws is logged on stderr and skipped.
import { randomUUID } from "node:crypto"
import { inspect } from "node:util"

const REPR_METHODS = {
  _repr_html_: "text/html",
  _repr_markdown_: "text/markdown",
  _repr_svg_: "image/svg+xml",
  _repr_png_: "image/png",
  _repr_jpeg_: "image/jpeg",
  _repr_json_: "application/json",
  _repr_latex_: "text/latex",
  _repr_javascript_: "application/javascript",
}
const BINARY_TYPES = new Set(["image/png", "image/jpeg", "image/gif"])

/** util.inspect's look without ANSI colours: what `text/plain` shows. */
export const plainText = (value) =>
  typeof value === "string" ? inspect(value) : inspect(value, { colors: false, depth: 4 })

/** Binary data as base64 text (Jupyter's JSON carries images that way); text stays as it is. */
function encode(mime, data) {
  if (BINARY_TYPES.has(mime) && typeof data !== "string") {
    if (!(data instanceof Uint8Array || data instanceof ArrayBuffer))
      throw new TypeError(`${mime} data must be a Buffer, Uint8Array, ArrayBuffer or base64 text`)
    return Buffer.from(data).toString("base64")
  }
  return data
}

/** The MIME bundle of `value`: `text/plain` plus whatever its `_repr_*_` methods give. */
export function mimeBundle(value) {
  const bundle = { "text/plain": plainText(value) }
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return bundle
  for (const [method, mime] of Object.entries(REPR_METHODS)) {
    if (typeof value[method] !== "function") continue
    try {
      const data = value[method]()
      if (data !== undefined && data !== null) bundle[mime] = encode(mime, data)
    } catch (error) {
      process.stderr.write(`${method} failed: ${error?.stack ?? error}\n`)
    }
  }
  if (typeof value._repr_mimebundle_ === "function") {
    for (const [mime, data] of Object.entries(value._repr_mimebundle_() ?? {}))
      bundle[mime] = encode(mime, data)
  }
  return bundle
}

/** An object whose bundle is exactly `data` (`{ mime: data }`), for display.bundle and the helpers. */
class MimeData {
  constructor(data) {
    this.data = data
  }
  _repr_mimebundle_() {
    return this.data
  }
  [inspect.custom]() {
    return this.data["text/plain"] ?? `<${Object.keys(this.data).join(", ")}>`
  }
}

/**
 * What `display()` returns: `update(value, metadata)` replaces that output in place. Like IPython's
 * `display()`, which returns None, a cell whose last expression is a display call shows no `Out[n]` for
 * the handle (handlers.mjs leaves handles out of execute_result).
 */
export class DisplayHandle {
  constructor(id, update) {
    this.id = id
    this.update = update
  }
}

/**
 * The `display` global: `display(value, { id, update, metadata })` publishes display_data (or
 * update_display_data when `update`) and returns a handle with `update(value)` and `id`. Helpers
 * build values of one type: display.html(text), .markdown, .svg, .latex, .png(buffer or base64),
 * .jpeg, .json(value), .bundle({ mime: data }), and clear_output(wait) is a global of its own.
 */
export function createDisplay(output) {
  const publish = (value, { id, update = false, metadata = {} } = {}) => {
    const transient = id === undefined ? {} : { display_id: id }
    const content = { data: mimeBundle(value), metadata, transient }
    output.publish(update ? "update_display_data" : "display_data", content)
  }
  const display = (value, options = {}) => {
    const id = options.id ?? (options.update ? undefined : randomUUID())
    if (options.update && id === undefined) throw new TypeError("display: options.update needs options.id")
    publish(value, { ...options, id })
    return new DisplayHandle(id, (next, metadata) => publish(next, { id, update: true, metadata }))
  }
  const typed =
    (mime, toData = (data) => data) =>
    (data, options) =>
      display(new MimeData({ [mime]: toData(data), "text/plain": `<${mime}>` }), options)
  return Object.assign(display, {
    html: typed("text/html"),
    markdown: typed("text/markdown"),
    svg: typed("image/svg+xml"),
    latex: typed("text/latex"),
    png: typed("image/png", (data) => encode("image/png", data)),
    jpeg: typed("image/jpeg", (data) => encode("image/jpeg", data)),
    json: typed("application/json"),
    bundle: (data, options) => display(new MimeData(data), options),
  })
}

/** The `clear_output(wait = false)` global: clears the cell's output (with `wait`, at the next output). */
export function createClearOutput(output) {
  return (wait = false) => output.publish("clear_output", { wait: Boolean(wait) })
}
