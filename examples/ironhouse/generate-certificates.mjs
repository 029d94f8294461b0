// Makes the server's and the client's CURVE certificates for ironhouse.mjs, as pyzmq's
// examples/security/generate_certificates.py does:
//
//   node examples/ironhouse/generate-certificates.mjs <dir>
//
// writes <dir>/public_keys/{server,client}.key and <dir>/private_keys/{server,client}.key_secret (files
// pyzmq's zmq.auth.load_certificate reads too), replacing what was there, and prints the two directories.
import { resolve } from "node:path"
import { parseCommandLine } from "../lib/cli.mjs"
import { generateCertificates } from "./certificates.mjs"

const {
  positionals: [dir],
} = parseCommandLine({
  usage: "node examples/ironhouse/generate-certificates.mjs <dir>",
  positionals: { min: 1 },
})
const { publicKeysDir, secretKeysDir } = generateCertificates(resolve(dir))
console.log(`public keys in ${publicKeysDir}`)
console.log(`secret keys in ${secretKeysDir}`)
