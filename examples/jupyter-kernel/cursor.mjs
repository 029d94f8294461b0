// Cursor positions in messages count Unicode code points (protocol 5.2 and later), JavaScript strings
// count UTF-16 code units: a character outside the Basic Multilingual Plane (an emoji) is one of the
// first and two of the second.

/** The UTF-16 offset in `code` of the cursor at code point `cursorPos`. */
export function codeUnitOffset(code, cursorPos) {
  let units = 0
  let points = cursorPos
  for (const char of code) {
    if (points-- <= 0) break
    units += char.length
  }
  return units
}

/** The code point offset in `code` of UTF-16 offset `units`. */
export function codePointOffset(code, units) {
  let points = 0
  for (let i = 0; i < units; i += code.codePointAt(i) > 0xffff ? 2 : 1) points++
  return points
}
