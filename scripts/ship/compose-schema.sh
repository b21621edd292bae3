#!/usr/bin/env bash
# Prints the path of the Compose Specification's JSON schema (schema/compose-spec.json of the Go module
# github.com/compose-spec/compose-go/v2 at COMPOSE_GO_VERSION, versions.env), downloading the module once from
# the Go module proxy into .cache/go/mod. tests/ship/compose.test.ts validates docker-compose.yml against it.
# Safe to run twice and concurrently.
set -euo pipefail
LOG_TAG=ship
# shellcheck source=../infra/lib.sh
source "$(dirname "$0")/../infra/lib.sh"

MODULE=github.com/compose-spec/compose-go/v2
MOD_CACHE="$CACHE_DIR/go/mod"
SCHEMA="$MOD_CACHE/$MODULE@v$COMPOSE_GO_VERSION/schema/compose-spec.json"

if [[ ! -f $SCHEMA ]]; then
  require_cmd go "Go downloads the Compose schema from the Go module proxy (https://go.dev/dl/)"
  take_lock compose-schema
  if [[ ! -f $SCHEMA ]]; then
    say "compose schema: downloading $MODULE@v$COMPOSE_GO_VERSION from the Go module proxy"
    mkdir -p "$MOD_CACHE"
    # Outside any module (the download needs none), with the module cache under .cache.
    (cd "$CACHE_DIR" && GOMODCACHE="$MOD_CACHE" GOFLAGS=-modcacherw GO111MODULE=on \
      go mod download "$MODULE@v$COMPOSE_GO_VERSION") >&2 ||
      die "compose schema: go mod download $MODULE@v$COMPOSE_GO_VERSION failed"
    [[ -f $SCHEMA ]] || die "compose schema: $MODULE@v$COMPOSE_GO_VERSION has no schema/compose-spec.json"
  fi
fi
echo "$SCHEMA"
