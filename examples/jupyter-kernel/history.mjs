// The kernel's input history, in memory (for this run of the kernel only), answering history_request
// the way IPython's HistoryManager does: tail, range and search (glob pattern, n, unique), each with or
// without the output.
const SESSION = 1 // IPython numbers sessions in its database; this kernel's only session is number 1

/** A glob (`*` any text, `?` one character) as an anchored RegExp, as IPython's search uses it. */
function globToRegExp(pattern) {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".")
  return new RegExp(`^${escaped}$`, "s")
}

export class History {
  constructor() {
    this.entries = [] // { line, input, output } in execution order
  }

  /** Stores cell number `line`, its source and the text/plain of its result (or null). */
  add(line, input, output) {
    this.entries.push({ line, input, output })
  }

  /** The `history` of a history_reply for the request's content. */
  query({
    hist_access_type = "range",
    output = false,
    n = null,
    session = 0,
    start = 0,
    stop = null,
    pattern = "*",
    unique = false,
  }) {
    let entries = this.entries
    if (hist_access_type === "tail") {
      entries = lastOf(entries, n)
    } else if (hist_access_type === "range") {
      const wanted = session > 0 ? session : SESSION + session // 0 or less counts back from this one
      entries =
        wanted !== SESSION
          ? []
          : entries.filter(({ line }) => line >= start && (stop === null || line < stop))
    } else if (hist_access_type === "search") {
      const glob = globToRegExp(pattern)
      entries = entries.filter(({ input }) => glob.test(input))
      if (unique) {
        const seen = new Set()
        entries = entries
          .toReversed()
          .filter(({ input }) => !seen.has(input) && seen.add(input))
          .toReversed()
      }
      entries = lastOf(entries, n)
    } else {
      throw new RangeError(`hist_access_type must be tail, range or search, got ${hist_access_type}`)
    }
    return entries.map(({ line, input, output: result }) => [SESSION, line, output ? [input, result] : input])
  }
}

/** The last `n` of `entries` (all of them for null; none for 0, where `slice(-0)` would give all). */
function lastOf(entries, n) {
  return n === null ? entries : entries.slice(Math.max(entries.length - n, 0))
}
