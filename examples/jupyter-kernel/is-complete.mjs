// is_complete_request with a real parser: code that parses is complete; code whose only fault is that
// it ends too early (an open bracket, string, template or comment) is incomplete, with the indent the
// next line should get; any other syntax error makes it invalid (so `1 + )` is not "incomplete").
import { parseCell } from "./cell-source.mjs"

const INDENT = "  "
const HELP_SYNTAX = /^\s*(?:\?\s*[\w$.]+|[\w$.]+\s*\?)\s*$/

/** The content of an is_complete_reply for `code`. */
export function isComplete(code) {
  if (HELP_SYNTAX.test(code)) return { status: "complete" }
  try {
    parseCell(code)
    return { status: "complete" }
  } catch (error) {
    if (!(error instanceof SyntaxError) || error.pos === undefined) throw error
    const endsEarly = error.pos >= code.trimEnd().length || /^Unterminated/.test(error.message)
    if (!endsEarly) return { status: "invalid" }
    const lastLine = code.split("\n").at(-1)
    const indent = lastLine.match(/^\s*/)[0]
    return { status: "incomplete", indent: /[{([]\s*$/.test(lastLine) ? indent + INDENT : indent }
  }
}
