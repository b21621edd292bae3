#!/usr/bin/env bash
# Prometheus from Debian's `prometheus` package, run as a plain process on 127.0.0.1 (never the package's
# systemd service), scraping the targets it is given; its data lives under .run/prometheus/.
# usage: scripts/infra/prometheus.sh start|stop|status|install [JOB=HOST:PORT ...]   (up/down are start/stop)
#   install  apt-get install -y prometheus when the binary is missing, without letting the package start its
#            service (a policy-rc.d for the duration of the install); needs root or sudo
#   start    install if needed, write the scrape config (one job per JOB=HOST:PORT, /metrics, every
#            TRADEFLOW_PROMETHEUS_SCRAPE_INTERVAL, default 2s), start it unless ours runs (a running one
#            reloads the new config), wait until it answers; prints PROMETHEUS_URL=...
#            Without targets: the distributed shape's services on their default ports.
#   stop     SIGTERM, then SIGKILL after TRADEFLOW_INFRA_STOP_TIMEOUT seconds; safe to repeat
#   status   exit 0 when running and answering
# Port: TRADEFLOW_PROMETHEUS_PORT (19090). TRADEFLOW_PROMETHEUS_INSTANCE=<id> runs a separate instance
# (its own pid, config and data; a test gives it its own port too), so a test never reconfigures yours.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=http-service.sh
source "$INFRA_DIR/http-service.sh"

INSTANCE=${TRADEFLOW_PROMETHEUS_INSTANCE:-}
[[ -z $INSTANCE || $INSTANCE =~ ^[A-Za-z0-9_.-]+$ ]] || die "prometheus: TRADEFLOW_PROMETHEUS_INSTANCE must be [A-Za-z0-9_.-]+"
NAME=prometheus${INSTANCE:+-$INSTANCE}
STATE="$RUN_DIR/$NAME"
CONFIG="$STATE/prometheus.yml"
DATA_DIR="$ROOT/.run/prometheus/${INSTANCE:-default}/data"
URL="http://127.0.0.1:$PROMETHEUS_PORT"
SCRAPE_INTERVAL=${TRADEFLOW_PROMETHEUS_SCRAPE_INTERVAL:-2s}
DEFAULT_TARGETS=(gateway=127.0.0.1:8080 trades=127.0.0.1:8081 reference-data=127.0.0.1:8082 validation=127.0.0.1:8083)

install_prometheus() {
  command -v prometheus >/dev/null 2>&1 && return 0
  command -v apt-get >/dev/null 2>&1 ||
    die "prometheus: not installed and no apt-get here; install Prometheus 2.x and put \`prometheus\` on PATH"
  local -a sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null 2>&1 || die "prometheus: run \`apt-get install -y prometheus\` as root"
    sudo=(sudo)
  fi
  take_lock prometheus-install
  command -v prometheus >/dev/null 2>&1 && return 0
  # Debian starts (and enables) a package's service on install; a policy-rc.d answering 101 forbids it. Only
  # ours, only when there is none, removed again however the install ends.
  local policy=/usr/sbin/policy-rc.d
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\n# scripts/infra/prometheus.sh: no service starts during this install\nexit 101\n' |
      ${sudo[@]+"${sudo[@]}"} tee "$policy" >/dev/null
    ${sudo[@]+"${sudo[@]}"} chmod 755 "$policy"
    # shellcheck disable=SC2064  # expand now: the array and path are fixed
    trap "${sudo[*]} rm -f '$policy'" EXIT
  fi
  say "prometheus: installing Debian's prometheus package (first run only)"
  local -a apt=(env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus)
  if ! ${sudo[@]+"${sudo[@]}"} "${apt[@]}" >&2; then
    say "prometheus: install failed; refreshing the package index once and trying again"
    ${sudo[@]+"${sudo[@]}"} apt-get update >&2 || true
    ${sudo[@]+"${sudo[@]}"} "${apt[@]}" >&2 || die "prometheus: apt-get install prometheus failed"
  fi
  command -v prometheus >/dev/null 2>&1 || die "prometheus: installed, but no prometheus on PATH"
}

# Writes the scrape config for JOB=HOST:PORT arguments; prints nothing, dies on a malformed target.
write_config() {
  local -a targets=("$@")
  ((${#targets[@]} > 0)) || targets=("${DEFAULT_TARGETS[@]}")
  mkdir -p "$STATE/logs" "$DATA_DIR"
  {
    echo "# Written by scripts/infra/prometheus.sh on each start; edit the script or its arguments, not this file."
    echo "global:"
    echo "  scrape_interval: $SCRAPE_INTERVAL"
    echo "  scrape_timeout: $SCRAPE_INTERVAL"
    echo "  evaluation_interval: $SCRAPE_INTERVAL"
    echo "scrape_configs:"
    local target job address
    for target in "${targets[@]}"; do
      job=${target%%=*}
      address=${target#*=}
      [[ $target == *=* && $job =~ ^[A-Za-z0-9_-]+$ && $address =~ ^[A-Za-z0-9.-]+:[0-9]+$ ]] ||
        die "prometheus: target '$target' is not JOB=HOST:PORT"
      echo "  - job_name: $job"
      echo "    metrics_path: /metrics"
      echo "    static_configs:"
      echo "      - targets: ['$address']"
    done
  } >"$CONFIG.tmp"
  mv "$CONFIG.tmp" "$CONFIG"
}

start_prometheus() {
  require_free_port "$NAME" "$PROMETHEUS_PORT"
  say "$NAME: starting $(prometheus --version 2>&1 | awk 'NR == 1 { print $3 }') at $URL (data in ${DATA_DIR#"$ROOT"/})"
  spawn_detached "$NAME" "$STATE/logs/prometheus.log" prometheus \
    "--config.file=$CONFIG" \
    "--web.listen-address=127.0.0.1:$PROMETHEUS_PORT" \
    "--storage.tsdb.path=$DATA_DIR" \
    --storage.tsdb.retention.time=2d
}

# The time of the last successful config load, from Prometheus's own metrics.
last_reload() {
  curl -fsS --max-time 2 "$URL/metrics" 2>/dev/null |
    awk '$1 == "prometheus_config_last_reload_success_timestamp_seconds" { print $2 }'
}

# A running instance is told to load the config just written (SIGHUP) and waited for.
reload_prometheus() {
  local pid=$1 before deadline
  before=$(last_reload)
  kill -HUP "$pid"
  deadline=$((SECONDS + 30))
  until [[ -n $(last_reload) && $(last_reload) != "$before" ]]; do
    ((SECONDS < deadline)) || die "prometheus: pid $pid did not load $CONFIG; see $STATE/logs/prometheus.log"
    sleep 0.2
  done
  say "prometheus: reloaded its scrape config"
}

case ${1:-} in
  install) install_prometheus ;;
  start | up)
    shift
    install_prometheus
    (
      take_lock "$NAME"
      write_config "$@"
    )
    pid=$(running_pid "$NAME")
    http_service_up "$NAME" "$URL/-/ready" start_prometheus "$STATE/logs/prometheus.log"
    if [[ -n $pid ]]; then reload_prometheus "$pid"; fi
    claim_for_user "$NAME"
    echo "PROMETHEUS_URL=$URL"
    ;;
  stop | down) service_down "$NAME" ;;
  status) http_service_status "$NAME" "$URL/-/ready" ;;
  *)
    echo "usage: $0 start|stop|status|install [JOB=HOST:PORT ...]" >&2
    exit 2
    ;;
esac
