#!/usr/bin/env bash
# Starts the one-time tool builds the suites need in the background, at low priority, so they overlap
# `tsc -b` and eslint (which leave a core idle) instead of running inside a test: Helm and Jaeger built from
# the Go module proxy, the Compose schema, kubernetes-validate from PyPI. Each tool's own script takes a lock
# around its build, so a suite that needs a tool before it is ready waits for this build instead of starting
# a second one; when everything is cached, each script returns at once. `make test` runs this first.
# usage: scripts/warm-tools.sh        returns at once; the builds log to .cache/run/warm-tools.log
set -euo pipefail
LOG_TAG=tools
# shellcheck source=infra/lib.sh
source "$(dirname "$0")/infra/lib.sh"

LOG="$RUN_DIR/warm-tools.log"
mkdir -p "$RUN_DIR"
# Helm first: tests/ship needs it earlier than tests/observability needs Jaeger.
steps=(
  "$ROOT/scripts/ship/helm.sh"
  "$ROOT/scripts/infra/jaeger.sh build"
  "$ROOT/scripts/ship/compose-schema.sh"
  "$ROOT/scripts/ship/k8s-validate.sh --path"
)
if ! command -v go >/dev/null 2>&1; then
  say "go not found: the suites that need Helm and Jaeger will say so"
  exit 0
fi
# setsid + nohup: the builds outlive this shell without holding make's output open; stdin from /dev/null.
# shellcheck disable=SC2016  # $step expands in the child shell
nohup setsid nice -n 10 bash -c 'for step in "$@"; do $step >/dev/null || echo "[tools] $step failed (the suite that needs it will retry)"; done' \
  warm-tools "${steps[@]}" </dev/null >"$LOG" 2>&1 &
say "building what is not cached yet in the background (Helm, Jaeger, Compose schema, kubernetes-validate): ${LOG#"$ROOT/"}"
