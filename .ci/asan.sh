#!/usr/bin/env bash
# The ASAN step of CI: builds the native addon once with -fsanitize=address and runs the addon's native
# tests and the streams' data path, flush, receive and send suites on that
# build, with gcc's libasan preloaded into Node (Node itself is not instrumented, so leak checking, which
# would report Node's own allocations, is off). Passes only with zero AddressSanitizer reports, from any
# process. The one step of .ci/run that needs a C compiler (gcc, with its libasan).
set -uo pipefail
cd "$(dirname "$0")/.."

libasan=$(gcc -print-file-name=libasan.so)
[ -e "$libasan" ] || { echo "asan: gcc has no libasan.so"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
headers=$(dirname "$(dirname "$(command -v node)")")/include/node
addon=$work/zmq_eventloop.node
gcc -O1 -g -fno-omit-frame-pointer -fsanitize=address -shared -fPIC -Wall -Wextra -I"$headers" \
  -o "$addon" packages/ioloop/native/*.c || { echo "asan: the build failed"; exit 1; }

# The fd poller's epoll set, dropped loops collected with it (lifecycle.ts), and the streams' suites that
# exercise the native data path most (each runs on both data paths and both pollers). native-watcher.ts
# is left out: its child processes do not exit within its 5 s deadlines when each loads libasan on a busy
# machine.
tests=(packages/ioloop/test/{fd-set,handler-churn,lifecycle}.ts packages/ioloop/test/native-data-path*.ts
  packages/zmqstream/test/{data-path,flush,receive,send}.ts)
# --single-threaded-gc: V8 finishes a collection's work on dead ArrayBuffers on its worker threads. Under ASAN
# (every malloc and free through its allocator) on a busy machine that work falls behind the frames' minor
# collections, V8's count of external memory falls behind with it, and V8 starts full collections: 13-18 for
# the 512 MB of 1 MiB frames of native-data-path-frames.ts (0 in every run without ASAN, loaded or not, and
# under ASAN with this flag), so the tests that count collections would measure ASAN's allocator. What ASAN
# checks in the addon is the same either way.
echo "== ${#tests[@]} test files on the ASAN build"
LD_PRELOAD=$libasan ASAN_OPTIONS="detect_leaks=0:log_path=$work/asan" ZMQ_EVENTLOOP_ADDON=$addon \
  node_modules/.bin/tap --disable-coverage --jobs 1 --node-arg=--single-threaded-gc "${tests[@]}"
status=$?
reports=("$work"/asan.*)
if [ -e "${reports[0]}" ]; then
  echo "asan: ${#reports[@]} AddressSanitizer report(s):"
  cat "${reports[@]}"
  exit 1
fi
echo "asan: no AddressSanitizer report"
exit $status
