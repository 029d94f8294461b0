// `pnpm run prebuild` (workspace root): builds the addon for this machine's platform into
// prebuilds/<platform>-<arch>/, the copy shipped in the package and loaded first. Run it after any change
// to native/*.c or *.h and commit the result; packages/ioloop/test/native-addon.ts fails while the committed prebuild's
// sourceHash differs from the sources. Not shipped: users build from source with `zmq-eventloop-build`.
import { buildAddon, prebuildPath } from "./build.mjs"

const output = prebuildPath()
const failure = buildAddon(output)
if (failure !== null) {
  console.error(`prebuild: not built: ${failure}`)
  process.exit(1)
}
console.log(`prebuild: built ${output}`)
