// Z85, ZeroMQ's text encoding of binary keys (RFC 32/Z85): each 4 bytes, read as one big-endian number,
// become 5 characters of this alphabet, most significant first. A 32-byte CURVE key is 40 characters.
const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"

/** A CURVE key written in Z85: 40 characters of the Z85 alphabet. */
const Z85_KEY = /^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/

/** The Z85 text of `bytes`, whose length its callers keep a multiple of 4 (a CURVE key: 32 bytes, 40 characters). */
export function z85Encode(bytes: Uint8Array): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let text = ""
  for (let offset = 0; offset < bytes.length; offset += 4) {
    let value = view.getUint32(offset)
    let chunk = ""
    for (let i = 0; i < 5; i++) {
      chunk = ALPHABET[value % 85]! + chunk
      value = Math.floor(value / 85)
    }
    text += chunk
  }
  return text
}

/** Whether `text` is a CURVE key in Z85 (what `curveKeyPair()` and certificate files hold). */
export function isZ85Key(text: string): boolean {
  return Z85_KEY.test(text)
}
