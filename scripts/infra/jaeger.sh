#!/usr/bin/env bash
# Jaeger $JAEGER_VERSION (versions.env), all in one process with in-memory storage, every port on 127.0.0.1.
# usage: scripts/infra/jaeger.sh build|start|stop|status   (up/down are start/stop)
#   build   build the binary once from the Go module proxy into .cache/bin/jaeger-<version>: the tools module
#           scripts/infra/jaeger (`go get -tool github.com/jaegertracing/jaeger/cmd/jaeger@v<version>`), then
#           `go build`, module and build caches under .cache/go. A second run does nothing.
#   start   build if needed, start it unless ours already runs, wait until the query API answers; prints
#           OTEL_EXPORTER_OTLP_ENDPOINT=... (OTLP over HTTP) and JAEGER_QUERY_URL=... (UI and HTTP API)
#   stop    SIGTERM, then SIGKILL after TRADEFLOW_INFRA_STOP_TIMEOUT seconds; safe to repeat
#   status  exit 0 when running and answering
# Ports: TRADEFLOW_JAEGER_{OTLP_HTTP,QUERY,QUERY_GRPC,HEALTH}_PORT (14318, 26686, 26685, 23133).
# Traces kept: TRADEFLOW_JAEGER_MAX_TRACES (default 50000; the oldest go first).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=http-service.sh
source "$INFRA_DIR/http-service.sh"

NAME=jaeger
STATE="$RUN_DIR/$NAME"
TOOLS_DIR="$INFRA_DIR/jaeger"
BIN="$CACHE_DIR/bin/jaeger-$JAEGER_VERSION"
CONFIG="$STATE/config.yaml"
OTLP_ENDPOINT="http://127.0.0.1:$JAEGER_OTLP_HTTP_PORT"
QUERY_URL="http://127.0.0.1:$JAEGER_QUERY_PORT"
MAX_TRACES=${TRADEFLOW_JAEGER_MAX_TRACES:-50000}

# Go with every download and build artefact under .cache/go.
go_here() {
  GOMODCACHE="$CACHE_DIR/go/mod" GOCACHE="$CACHE_DIR/go/build" GOFLAGS="${GOFLAGS:-} -modcacherw" \
    CGO_ENABLED=0 go "$@"
}

build_jaeger() {
  [[ -x $BIN ]] && return 0
  require_cmd go "Go 1.24+ builds Jaeger from the Go module proxy (https://go.dev/dl/)"
  take_lock jaeger-build
  # Another run may have built it while this one waited for the lock.
  [[ -x $BIN ]] && return 0
  local t0=$SECONDS module="github.com/jaegertracing/jaeger"
  mkdir -p "$CACHE_DIR/bin" "$CACHE_DIR/go"
  (
    cd "$TOOLS_DIR"
    # The tools module pins the version; moving versions.env to another one moves the module along.
    if ! grep -q "^[[:space:]]*$module v$JAEGER_VERSION\b" go.mod; then
      say "jaeger: pinning $module@v$JAEGER_VERSION in $TOOLS_DIR/go.mod"
      go_here get -tool "$module/cmd/jaeger@v$JAEGER_VERSION" >&2 || die "jaeger: go get -tool failed"
    fi
    say "jaeger: building v$JAEGER_VERSION from the Go module proxy into .cache/bin (first run only; minutes)"
    go_here build -trimpath -o "$BIN.tmp" \
      -ldflags "-s -w -X $module/internal/version.latestVersion=v$JAEGER_VERSION" \
      "$module/cmd/jaeger" >&2 || die "jaeger: go build $module/cmd/jaeger failed"
  )
  mv "$BIN.tmp" "$BIN"
  say "jaeger: built v$JAEGER_VERSION in $((SECONDS - t0))s ($BIN)"
}

# The collector-style config of Jaeger v2: OTLP/HTTP in, memory storage, the query UI and API; no other
# receiver, and no metrics endpoint of its own.
write_config() {
  mkdir -p "$STATE/logs"
  cat >"$CONFIG" <<YAML
# Written by scripts/infra/jaeger.sh on each start; edit the script, not this file.
service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    resource:
      service.name: jaeger
    metrics:
      level: none
    logs:
      level: warn
extensions:
  healthcheckv2:
    use_v2: true
    http:
      endpoint: 127.0.0.1:$JAEGER_HEALTH_PORT
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: $MAX_TRACES
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:$JAEGER_QUERY_PORT
    grpc:
      endpoint: 127.0.0.1:$JAEGER_QUERY_GRPC_PORT
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:$JAEGER_OTLP_HTTP_PORT
processors:
  batch:
    # Spans are queryable a fraction of a second after they arrive.
    timeout: 200ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
YAML
}

start_jaeger() {
  local port
  for port in "$JAEGER_OTLP_HTTP_PORT" "$JAEGER_QUERY_PORT" "$JAEGER_QUERY_GRPC_PORT" "$JAEGER_HEALTH_PORT"; do
    require_free_port "$NAME" "$port"
  done
  write_config
  say "jaeger: starting v$JAEGER_VERSION (in memory): OTLP/HTTP at $OTLP_ENDPOINT, UI and API at $QUERY_URL"
  spawn_detached "$NAME" "$STATE/logs/jaeger.log" "$BIN" "--config=$CONFIG"
}

case ${1:-} in
  build) build_jaeger ;;
  start | up)
    build_jaeger
    http_service_up "$NAME" "$QUERY_URL/api/services" start_jaeger "$STATE/logs/jaeger.log"
    claim_for_user "$NAME"
    echo "OTEL_EXPORTER_OTLP_ENDPOINT=$OTLP_ENDPOINT"
    echo "JAEGER_QUERY_URL=$QUERY_URL"
    ;;
  stop | down) service_down "$NAME" ;;
  status) http_service_status "$NAME" "$QUERY_URL/api/services" ;;
  *)
    echo "usage: $0 build|start|stop|status" >&2
    exit 2
    ;;
esac
