#!/usr/bin/env bash
# The frontends the kernel's frontend tests drive (examples/test/jupyter-{browser,console,nbconvert}.ts):
# Debian's Chromium, classic Notebook server, jupyter-console, nbconvert and tmux. Installed with apt when
# missing; the tests skip with a printed reason if this fails, so a failure here is reported, not fatal.
set -uo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
/usr/bin/python3 -c 'import notebook' >/dev/null 2>&1 || missing+=(jupyter-notebook)
/usr/bin/python3 -c 'import jupyter_console' >/dev/null 2>&1 || missing+=(jupyter-console)
/usr/bin/python3 -c 'import nbconvert' >/dev/null 2>&1 || missing+=(python3-nbconvert)
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
[ ${#missing[@]} -eq 0 ] && exit 0

printf '== installing %s (apt-get) for the Jupyter frontend tests\n' "${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
  echo "apt-get install ${missing[*]} failed: the Jupyter frontend tests will be skipped"
