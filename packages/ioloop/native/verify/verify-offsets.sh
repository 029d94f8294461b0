#!/usr/bin/env bash
# Re-checks, on the zeromq.js installed here, the facts the native data path relies on (native/data_path.h;
# packages/ioloop/README.md, "How it works: the native data path"). Needs binutils and gdb
# (`apt-get install binutils gdb`). Run from anywhere: packages/ioloop/native/verify/verify-offsets.sh
set -euo pipefail
cd "$(dirname "$0")"

version=$(node -p 'require("zeromq/package.json").version')
image=$(node -e '
  require("zeromq")
  const maps = require("fs").readFileSync("/proc/self/maps", "utf8").split("\n")
  console.log(maps.map((line) => line.split(/\s+/)[5]).find((file) => file && file.endsWith("addon.node")))
')
echo "zeromq $version, image $image"

echo "== dynamic symbols (the vtable and the libzmq functions the addon takes from the image)"
nm -D --defined-only "$image" |
  grep -E ' (_ZTVN3zmq6SocketE|zmq_msg_(init|recv|close|move|data|size|more)|zmq_send|zmq_getsockopt|zmq_errno|zmq_strerror)$'

echo "== zmq::Socket::Close(): compares 0x108 (264) with 0, sets state 0x128 (296) to 1, NULLs 0x108"
asm=$(mktemp)
trap 'rm -f "$asm"' EXIT
objdump -d -C --no-show-raw-insn "$image" >"$asm"
function_body() { awk -v name="$1" 'index($0, "<" name ">:") { on = 1; next } on && /^$/ { exit } on' "$asm"; }
function_body "zmq::Socket::Close()" | grep -E '0x108\(|0x128\(|zmq_close'

echo "== functions that set state 0x128 (296) to 2, blocked"
awk '/^[0-9a-f]+ <.*>:$/ { fn = $0 } /movb +\$0x2,0x128\(/ { print fn }' "$asm" | sort | uniq -c

echo "== zmq::Socket::Socket(): the vtable it stores, type 0x12c (300) from its first argument"
function_body "zmq::Socket::Socket(Napi::CallbackInfo const&)" |
  grep -E 'vtable for zmq::Socket|lea +0x10\(%rax\)|mov +%rdx,0x0\(%rbp\)|0x12c\(|Int32Value' | head -8

echo "== at run time, under gdb"
gdb -q --batch -x offsets.gdb --args node offsets-driver.mjs 2>&1 | grep -E '^(JS|Bind|zmq_bind|zmq_close)'
