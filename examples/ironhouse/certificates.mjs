// The certificate layout of pyzmq's examples/security (generate_certificates.py): every program's key pair
// made in <dir>/certificates, then the public files (*.key) moved to <dir>/public_keys and the secret ones
// (*.key_secret) to <dir>/private_keys. In practice this is done by hand or out of band.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs"
import { join } from "node:path"
import { createCertificates } from "@zmq-eventloop/auth"

/** The three directories of the layout under `baseDir`. */
export function certificateDirs(baseDir) {
  return {
    keysDir: join(baseDir, "certificates"),
    publicKeysDir: join(baseDir, "public_keys"),
    secretKeysDir: join(baseDir, "private_keys"),
  }
}

/** Makes fresh certificates for `names` under `baseDir` (old ones are removed) and returns the directories. */
export function generateCertificates(baseDir, names = ["server", "client"]) {
  const dirs = certificateDirs(baseDir)
  for (const dir of Object.values(dirs)) {
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
  }
  for (const name of names) createCertificates(dirs.keysDir, name)
  for (const file of readdirSync(dirs.keysDir)) {
    const to = file.endsWith(".key_secret") ? dirs.secretKeysDir : dirs.publicKeysDir
    renameSync(join(dirs.keysDir, file), join(to, file))
  }
  return dirs
}

/** Whether the layout is there (pyzmq's examples refuse to run without it). */
export function certificatesExist(baseDir) {
  return Object.values(certificateDirs(baseDir)).every((dir) => existsSync(dir))
}
