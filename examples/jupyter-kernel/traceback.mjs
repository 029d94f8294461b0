// A thrown value as Jupyter's error content: ename, evalue and a traceback of the user's frames only
// (the cell's and its modules', not the kernel's), ending with the cell line where it was thrown.
import { fileURLToPath } from "node:url"
import { dirname } from "node:path"

const KERNEL_DIR = dirname(fileURLToPath(import.meta.url))
// Frames of the kernel's files and of Node's own modules (vm, async_hooks, internals).
const isKernelFrame = (line) => line.includes(KERNEL_DIR) || /[( ]node:/.test(line)

/** The source line `line` (1-based) of `code` with a caret under `column` (1-based). */
function pointAt(code, name, line, column) {
  const text = code.split("\n")[line - 1]
  if (text === undefined) return []
  return [`${name}:${line}`, `  ${text}`, `  ${" ".repeat(Math.max(0, column - 1))}^`]
}

/** `{ ename, evalue, traceback }` for `thrown`, raised by cell `name` whose source is `code`. */
export function tracebackOf(thrown, code, name) {
  if (thrown instanceof SyntaxError && thrown.loc) {
    // acorn's: "Unexpected token (1:7)", with loc.column 0-based
    const evalue = thrown.message.replace(/ \(\d+:\d+\)$/, "")
    const { line, column } = thrown.loc
    return {
      ename: "SyntaxError",
      evalue,
      traceback: [`SyntaxError: ${evalue}`, ...pointAt(code, name, line, column + 1)],
    }
  }
  const isError = thrown instanceof Error || (typeof thrown?.stack === "string" && "message" in thrown)
  if (!isError) {
    const evalue = typeof thrown === "string" ? thrown : String(thrown)
    return { ename: "Uncaught", evalue, traceback: [`Uncaught ${evalue}`] }
  }
  const ename = String(thrown.name ?? "Error")
  const evalue = String(thrown.message ?? "")
  const lines = String(thrown.stack ?? `${ename}: ${evalue}`).split("\n")
  const frames = lines.filter((line) => /^\s+at /.test(line))
  const header = lines.filter((line) => !/^\s+at /.test(line))
  // The cell's frames past its last line are the wrapper cell-source.mjs adds around it.
  const cellLines = code.split("\n").length
  const cellFrame = new RegExp(`${name.replace(/[[\]]/g, "\\$&")}:(\\d+):(-?\\d+)`)
  const isWrapperFrame = (line) => Number(line.match(cellFrame)?.[1] ?? 0) > cellLines
  // V8 places some errors at the wrapper's `return (` before the cell's first column: say column 1.
  const userFrames = frames
    .filter((line) => !isKernelFrame(line) && !isWrapperFrame(line))
    .map((line) => line.replace(cellFrame, (frame, row, column) => (column > 0 ? frame : `${name}:${row}:1`)))
  const traceback = [...header, ...userFrames]
  const place = userFrames.map((line) => line.match(cellFrame)).find(Boolean)
  if (place) traceback.push("", ...pointAt(code, name, Number(place[1]), Number(place[2])))
  return { ename, evalue, traceback }
}
