// Turns a cell into a script that runs in the kernel's global scope with top-level await, and whose
// completion value is the cell's last expression. The cell becomes the body of an async arrow function:
//
//   let a = 1                       var a, f, C; (async () => { __kernel.started(); globalThis["f"] = f;;(  a = 1)
//   function f() {}          ->     function f() {}
//   class C {}                      class C {};globalThis["C"] = C;
//   a + 1                           ;return (a + 1)
//                                   })()
//
// Top-level declarations (let, const, var, function, class, import) become globals declared with `var`
// before the function, so they survive into the next cell and a cell can be run again without "already
// declared" errors (as in Node's REPL, a const is then reassignable). Edits keep line numbers and, but
// for a few rare cases, the columns of the user's code, so stack traces point at the cell's own text.
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
    const imported =
      specifier.imported.type === "Literal" ? specifier.imported.value : specifier.imported.name
    return `(${local} = ${module}[${JSON.stringify(imported)}])`
  })
}

/** Every `import(...)` expression in `node`'s tree (vm scripts cannot run them without a Node flag). */
function importExpressions(node, found = []) {
  if (node?.type === "ImportExpression") found.push(node)
  for (const value of Object.values(node ?? {})) {
    if (Array.isArray(value)) value.forEach((child) => importExpressions(child, found))
    else if (typeof value?.type === "string") importExpressions(value, found)
  }
  return found
}

/**
 * The script that runs `code` (see the top of this file), the columns its first line is shifted by
 * (`firstLineShift`, for vm's columnOffset), and `names`, the globals it declares.
 * @throws SyntaxError when `code` does not parse
 */
export function cellScript(code) {
  const program = parseCell(code)
  const names = new Set()
  const hoisted = [] // function declarations, copied to their globals before the body runs
  const edits = [] // [start, end, replacement], in source order
  for (const node of program.body) {
    if (node.type === "VariableDeclaration") {
      // `const {a} = o` becomes `;(    {a} = o)`: the keyword's place keeps every column where it was.
      node.declarations.forEach((declarator) => boundNames(declarator.id).forEach((name) => names.add(name)))
      edits.push([node.start, node.start + node.kind.length, `;(${" ".repeat(node.kind.length - 2)}`])
      for (const declarator of node.declarations)
        if (!declarator.init && node.kind !== "var")
          edits.push([declarator.id.end, declarator.id.end, " = void 0"])
      const end = node.declarations.at(-1).end
      edits.push([end, end, ")"])
    } else if (node.type === "FunctionDeclaration") {
      names.add(node.id.name)
      hoisted.push(node.id.name)
    } else if (node.type === "ClassDeclaration") {
      names.add(node.id.name)
      edits.push([node.end, node.end, `;globalThis[${JSON.stringify(node.id.name)}] = ${node.id.name};`])
    } else if (node.type === "ImportDeclaration") {
      node.specifiers.forEach((specifier) => names.add(specifier.local.name))
      const assignments = importAssignments(node)
      edits.push([node.start, node.end, assignments.length ? `void (${assignments.join(", ")});` : ";"])
    }
  }
  // import("m") becomes __kernel.import("m"), which resolves "m" from the working directory.
  for (const node of importExpressions(program))
    edits.push([node.start, node.start + "import".length, "__kernel.import"])
  // The last expression is returned. `return (` goes right after the statement before it (on its line,
  // before any comment), so the expression's own line keeps its columns.
  const last = program.body.at(-1)
  if (last?.type === "ExpressionStatement") {
    const before = program.body.at(-2)
    const at = before ? before.end : last.start
    edits.push([at, at, before ? ";return (" : "return ("], [last.expression.end, last.expression.end, ")"])
  }
  edits.sort(([a], [b]) => a - b)
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
  // __kernel.started() tells the kernel the cell's code is running (see Executor.run).
  const prefix = `${declarations}(async () => { __kernel.started(); ${globalsOfFunctions}`
  // vm's columnOffset shifts the whole first line alike: make it exact where errors mostly are, at the
  // last expression when it is on that line (else at the line's start).
  const firstLineEnd = code.includes("\n") ? code.indexOf("\n") : code.length
  const target = last?.type === "ExpressionStatement" && last.start < firstLineEnd ? last.expression.start : 0
  const inserted = edits
    .filter(([start]) => start <= target)
    .reduce((sum, [start, end, replacement]) => sum + replacement.length - (end - start), 0)
  const firstLineShift = prefix.length + inserted
  return { script: `${prefix}${body}\n})()`, firstLineShift, names: [...names] }
}
