#!/usr/bin/env node
// zmq-eventloop-build: compiles @zmq-eventloop/ioloop's native addon from the sources in the package, for
// a platform without a prebuild (or one whose prebuild does not load). Needs a C compiler (CC, gcc or cc)
// and the running Node's headers; downloads nothing. Run it in the project that installed the package:
// `npx zmq-eventloop-build` (npm) or `pnpm exec zmq-eventloop-build`. The IOLoop loads the result on its
// next start; reinstalling the package removes it.
import { buildAddon, sourceBuildPath } from "../native/build.mjs"

if (process.argv.length > 2) {
  const help = ["-h", "--help"].includes(process.argv[2])
  ;(help ? console.log : console.error)(
    "usage: zmq-eventloop-build\n" +
      `Compiles the native addon of @zmq-eventloop/ioloop into ${sourceBuildPath}.\n` +
      "Uses $CC (else gcc, else cc) and the headers of the Node that runs it ($npm_config_nodedir overrides).",
  )
  process.exit(help ? 0 : 2)
}

const failure = buildAddon(sourceBuildPath)
if (failure === null) {
  console.log(
    `zmq-eventloop-build: built ${sourceBuildPath} (a new IOLoop loads it when no prebuild for this platform loads)`,
  )
} else {
  console.error(`zmq-eventloop-build: not built: ${failure}`)
  process.exit(1)
}
