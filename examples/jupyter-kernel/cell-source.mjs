// Turns a cell into a script that runs in the kernel's global scope with top-level await, and whose
// completion value is the cell's last expression. The cell becomes the body of an async arrow function:
//
//   var a, f, C; (async () => { f = f; void ((a = 1)); function f() {} C = class C {}; return { value: (a + 1) } })()
//
// Top-level declarations (let, const, var, function, class, import) are turned into assignments to
// globals declared with `var` before the function, so they survive into the next cell and a cell can be
// run again without "already declared" errors (as in Node's REPL, const is then reassignable).
// The prefix stays on the cell's first line, so line numbers in stack traces are the cell's own.
import * as acorn from "acorn"

const PARSE_OPTIONS = {
  ecmaVersion: "latest",
  sourceType: "script",
  allowAwaitOutsideFunction: true,
  allowImportExportEverywhere: true, // import declarations become dynamic imports, below
  allowHashBang: true,
}

/** Parses `code` as a cell. @throws SyntaxError (acorn's, with `pos` and `loc`) */
export function parseCell(code) {
  return acorn.parse(code, { ...PARSE_OPTIONS, locations: true })
}

/** The identifiers a binding pattern (`a`, `{ b, c: [d] }`, `...e`, `f = 1`) declares. */
function boundNames(pattern) {
  switch (pattern.type) {
    case "Identifier":
      return [pattern.name]
    case "ObjectPattern":
      return pattern.properties.flatMap((p) => boundNames(p.type === "RestElement" ? p : p.value))
    case "ArrayPattern":
      return pattern.elements.flatMap((element) => (element ? boundNames(element) : []))
    case "AssignmentPattern":
      return boundNames(pattern.left)
    case "RestElement":
      return boundNames(pattern.argument)
    default:
      return []
  }
}

/** `import a, { b as c } from "m"` as assignments from `await __kernel.import("m")`. */
function importAssignments(node) {
  const module = `(await __kernel.import(${JSON.stringify(node.source.value)}))`
  return node.specifiers.map((specifier) => {
    const local = specifier.local.name
    if (specifier.type === "ImportDefaultSpecifier") return `(${local} = ${module}.default)`
    if (specifier.type === "ImportNamespaceSpecifier") return `(${local} = ${module})`
    const imported = specifier.imported.type === "Literal" ? specifier.imported.value : specifier.imported.name
    return `(${local} = ${module}[${JSON.stringify(imported)}])`
  })
}

/**
 * The script that runs `code` (see the top of this file), and `names`, the globals it declares.
 * @throws SyntaxError when `code` does not parse
 */
export function cellScript(code) {
  const program = parseCell(code)
  const names = new Set()
  const hoisted = [] // function declarations, assigned to their globals before the body runs
  const edits = [] // [start, end, replacement], in source order
  const source = (node) => code.slice(node.start, node.end)
  for (const node of program.body) {
    if (node.type === "VariableDeclaration") {
      const assignments = []
      for (const declarator of node.declarations) {
        boundNames(declarator.id).forEach((name) => names.add(name))
        if (declarator.init) assignments.push(`(${source(declarator.id)} = ${source(declarator.init)})`)
        else if (node.kind !== "var") assignments.push(`(${source(declarator.id)} = undefined)`)
      }
      edits.push([node.start, node.end, assignments.length ? `void (${assignments.join(", ")});` : ";"])
    } else if (node.type === "FunctionDeclaration") {
      names.add(node.id.name)
      hoisted.push(node.id.name)
    } else if (node.type === "ClassDeclaration") {
      names.add(node.id.name)
      edits.push([node.start, node.end, `${node.id.name} = ${source(node)};`])
    } else if (node.type === "ImportDeclaration") {
      node.specifiers.forEach((specifier) => names.add(specifier.local.name))
      const assignments = importAssignments(node)
      edits.push([node.start, node.end, assignments.length ? `void (${assignments.join(", ")});` : ";"])
    }
  }
  const last = program.body.at(-1)
  if (last?.type === "ExpressionStatement")
    edits.push([last.start, last.end, `return { value: (${source(last.expression)}) };`])
  let body = ""
  let at = 0
  for (const [start, end, replacement] of edits) {
    body += code.slice(at, start) + replacement
    at = end
  }
  body += code.slice(at)
  // Function declarations are hoisted inside the arrow function; copy them out to their globals first.
  const globalsOfFunctions = hoisted.map((name) => `globalThis[${JSON.stringify(name)}] = ${name};`).join(" ")
  const declarations = names.size ? `var ${[...names].join(", ")}; ` : ""
  const prefix = `${declarations}(async () => { ${globalsOfFunctions}`
  return { script: `${prefix}${body}\n})()`, prefixLength: prefix.length, names: [...names] }
}
