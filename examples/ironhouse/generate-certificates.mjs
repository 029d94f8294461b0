// Makes the server's and the client's CURVE certificates for ironhouse.mjs, as pyzmq's
// examples/security/generate_certificates.py does:
//
//   node examples/ironhouse/generate-certificates.mjs <dir>
//
// writes <dir>/public_keys/{server,client}.key and <dir>/private_keys/{server,client}.key_secret (files
// pyzmq's zmq.auth.load_certificate reads too), replacing what was there, and prints the two directories.
import { resolve } from "node:path"
import { generateCertificates } from "./certificates.mjs"

const [dir] = process.argv.slice(2)
if (!dir) {
  console.error("usage: node examples/ironhouse/generate-certificates.mjs <dir>")
  process.exit(2)
}
const { publicKeysDir, secretKeysDir } = generateCertificates(resolve(dir))
console.log(`public keys in ${publicKeysDir}`)
console.log(`secret keys in ${secretKeysDir}`)
