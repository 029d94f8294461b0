// complete_request and inspect_request: what the name before the cursor could be, and what it is.
// Only property reads are evaluated (`a.b.c`), never calls, so asking cannot run user code other than
// getters.
import { builtinModules } from "node:module"
import { readdirSync } from "node:fs"
import { join } from "node:path"
import { plainText } from "./display.mjs"

const KEYWORDS = `await break case catch class const continue debugger default delete do else export extends
false finally for function if import in instanceof let new null return static super switch this throw true
try typeof undefined var void while with yield async of`.split(/\s+/)
const IDENTIFIER = "[A-Za-z_$][\\w$]*"
// a.b.c before the cursor, split into the object path ("a.b") and the word being typed ("c")
const DOTTED_BEFORE_CURSOR = new RegExp(`((?:${IDENTIFIER}\\s*\\.\\s*)*)(${IDENTIFIER})?$`)
const REQUIRE_BEFORE_CURSOR = /(?:require\s*\(\s*|import\s*\(\s*|from\s+)(["'])([^"']*)$/

/** The value at `path` ("a.b.c") from the global scope, or `{ missing: true }`. */
function lookUp(path) {
  let value = globalThis
  for (const name of path.split(".")) {
    if (value === null || value === undefined || !(name in Object(value))) return { missing: true }
    value = value[name]
  }
  return { value }
}

/** Every property name of `value` and its prototypes (not symbols), sorted. */
function propertyNames(value) {
  const names = new Set()
  for (let object = Object(value); object !== null; object = Object.getPrototypeOf(object))
    for (const name of Object.getOwnPropertyNames(object))
      if (/^[A-Za-z_$][\w$]*$/.test(name)) names.add(name)
  return [...names].sort()
}

/** Names `require` could load from the working directory: builtins and node_modules packages. */
function moduleNames() {
  const builtins = builtinModules.filter((name) => !name.startsWith("_"))
  const names = new Set([
    ...builtins,
    ...builtins.map((name) => (name.startsWith("node:") ? name : `node:${name}`)),
  ])
  try {
    for (const entry of readdirSync(join(process.cwd(), "node_modules"))) {
      if (!entry.startsWith("@")) names.add(entry)
      else
        for (const scoped of readdirSync(join(process.cwd(), "node_modules", entry)))
          names.add(`${entry}/${scoped}`)
    }
  } catch {
    // no node_modules here: builtins only
  }
  return [...names].sort()
}

/** `{ matches, start }` completing the word before `cursor` in `code`. */
export function complete(code, cursor) {
  const before = code.slice(0, cursor)
  const quoted = before.match(REQUIRE_BEFORE_CURSOR)
  if (quoted) {
    const prefix = quoted[2]
    return { matches: moduleNames().filter((name) => name.startsWith(prefix)), start: cursor - prefix.length }
  }
  const [, objectPath, word = ""] = before.match(DOTTED_BEFORE_CURSOR)
  const start = cursor - word.length
  if (objectPath) {
    const found = lookUp(objectPath.replace(/\s/g, "").slice(0, -1))
    if (found.missing) return { matches: [], start }
    return { matches: propertyNames(found.value).filter((name) => name.startsWith(word)), start }
  }
  const candidates = new Set([...propertyNames(globalThis), ...KEYWORDS])
  return { matches: [...candidates].filter((name) => name.startsWith(word)).sort(), start }
}

/** A function's signature: its source up to the body. */
function signature(fn) {
  const source = Function.prototype.toString.call(fn)
  if (source.includes("[native code]"))
    return `${fn.name}(${Array.from({ length: fn.length }, (_, i) => `arg${i}`).join(", ")})`
  return source.slice(0, source.search(/\)\s*(=>|\{)/) + 1).replace(/^async\s+|^function\s*\*?\s*/g, "")
}

/**
 * What the name at `cursor` in `code` is: `{ text }` with its type, value and, for a function, its
 * signature (at `detailLevel` 1 its whole source), or null when there is no such name.
 */
export function inspect(code, detailLevel = 0, cursor = code.length) {
  const after = code.slice(cursor).match(/^[\w$]*/)[0]
  const [, objectPath, word = ""] = code.slice(0, cursor).match(DOTTED_BEFORE_CURSOR)
  const path = `${objectPath.replace(/\s/g, "")}${word}${after}`
  if (!path) return null
  const found = lookUp(path)
  if (found.missing) return null
  const { value } = found
  const type =
    value === null
      ? "null"
      : Array.isArray(value)
        ? "Array"
        : typeof value === "object"
          ? (value.constructor?.name ?? "Object")
          : typeof value
  const lines = [`${path}: ${type}`]
  if (typeof value === "function") {
    lines.push(`Signature: ${signature(value)}`)
    if (detailLevel >= 1) lines.push("Source:", Function.prototype.toString.call(value))
  } else {
    lines.push(`Value: ${plainText(value)}`)
  }
  return { text: lines.join("\n") }
}
