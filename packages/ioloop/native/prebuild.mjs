// `pnpm run prebuilds` (workspace root): builds the addon into prebuilds/linux-<arch>/ for every Linux
// architecture we ship (x64 and arm64; the other one cross-compiled with Debian's gcc-<triple>), the copies
// shipped in the package and loaded first. Run it after any change to native/*.c or *.h and commit the
// result; packages/ioloop/test/native-addon.ts fails while the committed prebuild's sourceHash differs from
// the sources (native/verify/qemu-arm64.sh checks the arm64 one). Not shipped: users build from source with
// `zmq-eventloop-build`.
import { buildAddon, crossCompilers, prebuildPath } from "./build.mjs"

if (process.platform !== "linux") {
  console.error(`prebuild: the prebuilds are Linux ones, this is ${process.platform}`)
  process.exit(1)
}
let failed = false
for (const arch of ["x64", "arm64"]) {
  const output = prebuildPath("linux", arch)
  const failure = buildAddon(output, process.env, arch)
  if (failure !== null) {
    const hint =
      arch === process.arch
        ? ""
        : ` (install ${crossCompilers[arch]}, Debian's gcc-${crossCompilers[arch].replace(/-gcc$/, "")})`
    console.error(`prebuild: ${arch} not built: ${failure}${hint}`)
    failed = true
  } else console.log(`prebuild: built ${output}`)
}
process.exit(failed ? 1 : 0)
