// "calc", the kernel's tiny language: a line made only of numbers, operators, parentheses and the names
// below is an arithmetic expression and is evaluated (Python's operators: + - * / // % **); any other
// line is echoed. A safe recursive-descent parser: nothing is ever passed to eval().

const functions = {
  sqrt: [Math.sqrt, "sqrt(x): the square root of x"],
  abs: [Math.abs, "abs(x): the absolute value of x"],
  floor: [Math.floor, "floor(x): the largest integer <= x"],
  ceil: [Math.ceil, "ceil(x): the smallest integer >= x"],
  round: [Math.round, "round(x): x rounded to the nearest integer"],
  exp: [Math.exp, "exp(x): e raised to the power x"],
  log: [Math.log, "log(x): the natural logarithm of x"],
  min: [Math.min, "min(a, b, ...): the smallest argument"],
  max: [Math.max, "max(a, b, ...): the largest argument"],
}
const constants = {
  pi: [Math.PI, "pi: the ratio of a circle's circumference to its diameter"],
  e: [Math.E, "e: Euler's number, the base of natural logarithms"],
}
/** Every name the language knows, for completion. */
export const names = [...Object.keys(functions), ...Object.keys(constants)].sort()

/** An error of the language, reported to the frontend as `ename: evalue`. */
export class CalcError extends Error {
  constructor(ename, evalue, atEnd = false) {
    super(evalue)
    this.ename = ename
    this.atEnd = atEnd // the input ended too early: more input could complete it
  }
}

const TOKEN = /\s*(?:(\d+\.?\d*(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?)|([A-Za-z_]\w*)|(\*\*|\/\/|[-+*/%(),]))/y

/** The tokens of `text`, or null when it is not arithmetic (an unknown name or another character). */
function tokenize(text) {
  const tokens = []
  TOKEN.lastIndex = 0
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break
    const m = TOKEN.exec(text)
    if (m === null) return null
    if (m[1] !== undefined) tokens.push({ number: Number(m[1]) })
    else if (m[2] !== undefined) {
      if (!Object.hasOwn(functions, m[2]) && !Object.hasOwn(constants, m[2])) return null
      tokens.push({ name: m[2] })
    } else tokens.push({ op: m[3] })
  }
  return tokens.length > 0 ? tokens : null
}

/** Parses and evaluates one expression's tokens (grammar in the comments, lowest precedence first). */
function evaluateTokens(tokens) {
  let i = 0
  const peek = () => tokens[i]?.op
  const fail = (what) => {
    throw i >= tokens.length
      ? new CalcError("SyntaxError", "unexpected end of input", true)
      : new CalcError(
          "SyntaxError",
          `unexpected ${what ?? JSON.stringify(tokens[i].op ?? tokens[i].name ?? tokens[i].number)}`,
        )
  }
  const expect = (op) => (peek() === op ? i++ : fail())
  // expr := term (("+" | "-") term)*
  const expr = () => {
    let value = term()
    while (peek() === "+" || peek() === "-") value = tokens[i++].op === "+" ? value + term() : value - term()
    return value
  }
  // term := unary (("*" | "/" | "//" | "%") unary)*
  const term = () => {
    let value = unary()
    while (["*", "/", "//", "%"].includes(peek())) {
      const op = tokens[i++].op
      const right = unary()
      if (op === "*") value *= right
      else if (right === 0) throw new CalcError("ZeroDivisionError", "division by zero")
      else if (op === "/") value /= right
      else if (op === "//") value = Math.floor(value / right)
      else value -= right * Math.floor(value / right) // Python's %: the sign of the divisor
    }
    return value
  }
  // unary := ("+" | "-") unary | power;   power := atom ("**" unary)?
  const unary = () => {
    if (peek() === "-" || peek() === "+") return tokens[i++].op === "-" ? -unary() : unary()
    const base = atom()
    return peek() === "**" ? (i++, base ** unary()) : base
  }
  // atom := number | constant | function "(" expr ("," expr)* ")" | "(" expr ")"
  const atom = () => {
    const token = tokens[i]
    if (token === undefined) fail()
    i++
    if (token.number !== undefined) return token.number
    if (token.op === "(") {
      const value = expr()
      expect(")")
      return value
    }
    if (token.name !== undefined && Object.hasOwn(constants, token.name)) return constants[token.name][0]
    if (token.name !== undefined) {
      expect("(")
      const args = [expr()]
      while (peek() === ",") {
        i++
        args.push(expr())
      }
      expect(")")
      const [fn] = functions[token.name]
      const arity = ["min", "max"].includes(token.name) ? args.length : 1
      if (args.length !== arity)
        throw new CalcError("TypeError", `${token.name}() takes 1 argument (${args.length} given)`)
      const value = fn(...args)
      if (Number.isNaN(value)) throw new CalcError("ValueError", "math domain error")
      return value
    }
    i--
    return fail()
  }
  const value = expr()
  if (i < tokens.length) fail()
  return value
}

/** Splits code into statements: one per line, except that an expression still open continues. */
function statements(code) {
  const result = []
  let pending = ""
  for (const line of code.split("\n")) {
    pending = pending === "" ? line : `${pending}\n${line}`
    if (pending.trim() !== "" && checkLine(pending) !== "incomplete") {
      result.push(pending)
      pending = ""
    }
  }
  if (pending.trim() !== "") result.push(pending)
  return result
}

/** "complete", "incomplete" (an expression needing more input) or "invalid", for one statement. */
function checkLine(text) {
  const tokens = tokenize(text)
  if (tokens === null) return "complete" // text: echoed as it is
  try {
    evaluateTokens(tokens)
    return "complete"
  } catch (error) {
    if (error.ename !== "SyntaxError") return "complete" // a runtime error: the syntax is fine
    return error.atEnd ? "incomplete" : "invalid"
  }
}

/**
 * Runs `code`: returns its outputs in order, `{ stdout: text }` for echoed text and the values of all but
 * the last expression, and `{ result: text }` for the value of a final expression.
 * @throws CalcError for the first failing expression (outputs before it are in `error.outputs`).
 */
export function run(code) {
  const outputs = []
  const parts = statements(code)
  parts.forEach((statement, n) => {
    const tokens = tokenize(statement)
    if (tokens === null) return outputs.push({ stdout: `${statement}\n` })
    let value
    try {
      value = evaluateTokens(tokens)
    } catch (error) {
      error.outputs = outputs
      throw error
    }
    outputs.push(n === parts.length - 1 ? { result: String(value) } : { stdout: `${value}\n` })
  })
  return outputs
}

/** Jupyter's is_complete status for `code`: that of its last statement. */
export function isComplete(code) {
  const parts = statements(code)
  return parts.length === 0 ? "complete" : checkLine(parts.at(-1))
}

/** The names completing the word that ends at `cursor`, and where that word starts. */
export function complete(code, cursor) {
  const word = /[A-Za-z_]\w*$/.exec(code.slice(0, cursor))?.[0] ?? ""
  return { matches: names.filter((name) => name.startsWith(word)), start: cursor - word.length }
}

/** The help text of the name under (or just before) `cursor`, or null. */
export function inspect(code, cursor) {
  const before = /[A-Za-z_]\w*$/.exec(code.slice(0, cursor))?.[0] ?? ""
  const after = /^\w*/.exec(code.slice(cursor))[0]
  const name = before + after
  return (functions[name] ?? constants[name])?.[1] ?? null
}
