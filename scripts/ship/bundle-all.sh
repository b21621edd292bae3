#!/usr/bin/env bash
# Builds the production bundle of every image the way the Dockerfile's build stage does, without Docker: a
# copy of the build context (.dockerignore applied, scripts/ship/build-context.cjs), then
# scripts/ship/bundle.sh <service> in it, once per image. tests/ship/bundle.test.ts starts what this builds.
#   scripts/ship/bundle-all.sh [service...]     default: every service with a src/main.ts (not all-in-one) and init
# Work folder: .cache/ship/context (the context copy; its node_modules is reused while the lockfile is
# unchanged), .cache/ship/bundles/<service>. Nothing is rebuilt when the context is the same as at the last
# complete run (.cache/ship/bundles/.inputs). Prints the bundles' folder on stdout. Safe to run concurrently.
set -euo pipefail
LOG_TAG=ship
# shellcheck source=../infra/lib.sh
source "$(dirname "$0")/../infra/lib.sh"

SHIP_DIR="$CACHE_DIR/ship"
CONTEXT="$SHIP_DIR/context"
BUNDLES="$SHIP_DIR/bundles"

# The images: every service with its own process (services/<name>/src/main.ts) but the all-in-one (it runs
# DynamoDB Local in its own JVM; compose runs the services apart), and the init job.
images() {
  local main name
  for main in "$ROOT"/services/*/src/main.ts; do
    name=$(basename "$(dirname "$(dirname "$main")")")
    [[ $name == all-in-one ]] || echo "$name"
  done
  echo init
}

if [[ $# -gt 0 ]]; then wanted=("$@"); else mapfile -t wanted < <(images); fi

require_cmd node "Node.js builds the bundles"
take_lock ship-bundles
t0=$SECONDS
inputs=$(node "$ROOT/scripts/ship/build-context.cjs" "$CONTEXT")
key="$inputs ${wanted[*]}"
if [[ -f $BUNDLES/.inputs && $(<"$BUNDLES/.inputs") == "$key" ]]; then
  say "bundles: unchanged since the last build (${wanted[*]}); reusing $BUNDLES"
else
  rm -f "$BUNDLES/.inputs"
  mkdir -p "$BUNDLES"
  for name in "${wanted[@]}"; do
    # The context copy is self-contained: its own scripts, lockfile and node_modules, as in the build stage.
    (cd "$CONTEXT" && scripts/ship/bundle.sh "$name" "$BUNDLES/$name") >&2
  done
  echo "$key" >"$BUNDLES/.inputs"
  say "bundles: ${wanted[*]} built in $((SECONDS - t0))s"
fi
echo "$BUNDLES"
