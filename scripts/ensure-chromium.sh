#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the gateway's real-browser test (playwright-core drives
# /usr/bin/chromium; playwright's own browser download needs the internet). Safe to run twice: it does nothing
# when the browser is there. Needs root (or sudo) the first time; says so when it cannot install.
set -euo pipefail
CHROMIUM=${TRADEFLOW_CHROMIUM:-/usr/bin/chromium}
[[ -x $CHROMIUM ]] && exit 0
say() { printf '[tradeflow] %s\n' "$*" >&2; }
if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  say "error: $CHROMIUM is missing and installing it needs root: run 'apt-get install -y chromium' as root"
  exit 1
fi
command -v apt-get >/dev/null 2>&1 || {
  say "error: $CHROMIUM is missing and apt-get is not available; install Chromium and set TRADEFLOW_CHROMIUM"
  exit 1
}
say "installing Debian's chromium for the browser test of the gateway's /docs page"
# A stale package index answers 404 for a superseded version: refresh it once and try again.
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y --no-install-recommends chromium >/dev/null ||
  { "${as_root[@]}" apt-get update >/dev/null &&
    DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y --no-install-recommends chromium >/dev/null; }
[[ -x $CHROMIUM ]] || { say "error: chromium installed but $CHROMIUM is not there"; exit 1; }
