# Shared helpers for the local infrastructure scripts (sourced, not run).
# Every process we start carries `-Dtradeflow.infra=<name>` on its command line, so a pid file can be
# checked against the live process table: a recycled pid never passes for ours.
# shellcheck shell=bash disable=SC2034  # variables here are used by the scripts that source this file

INFRA_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$INFRA_DIR/../.." && pwd)
CACHE_DIR="$ROOT/.cache"
RUN_DIR="$CACHE_DIR/run"

# shellcheck source=../../versions.env
source "$ROOT/versions.env"

KAFKA_PORT=${TRADEFLOW_KAFKA_PORT:-19092}
KAFKA_CONTROLLER_PORT=${TRADEFLOW_KAFKA_CONTROLLER_PORT:-19093}
DYNAMODB_PORT=${TRADEFLOW_DYNAMODB_PORT:-18000}
# Jaeger (scripts/infra/jaeger.sh) and Prometheus (scripts/infra/prometheus.sh): the usual ports + 10000.
JAEGER_OTLP_HTTP_PORT=${TRADEFLOW_JAEGER_OTLP_HTTP_PORT:-14318}
JAEGER_QUERY_PORT=${TRADEFLOW_JAEGER_QUERY_PORT:-26686}
JAEGER_QUERY_GRPC_PORT=${TRADEFLOW_JAEGER_QUERY_GRPC_PORT:-26685}
JAEGER_HEALTH_PORT=${TRADEFLOW_JAEGER_HEALTH_PORT:-23133}
PROMETHEUS_PORT=${TRADEFLOW_PROMETHEUS_PORT:-19090}
# Seconds to wait for a process to answer after start, and to exit after SIGTERM.
START_DEADLINE=${TRADEFLOW_INFRA_START_TIMEOUT:-120}
STOP_DEADLINE=${TRADEFLOW_INFRA_STOP_TIMEOUT:-30}

# The tag of every message; scripts that source this file for its helpers may set their own first.
LOG_TAG=${LOG_TAG:-infra}
say() { printf '[%s] %s\n' "$LOG_TAG" "$*" >&2; }
die() {
  printf '[%s] error: %s\n' "$LOG_TAG" "$*" >&2
  exit 1
}

# Fails with one clear line when a tool is missing (java, mvn, node).
require_cmd() {
  local cmd=$1 why=$2
  command -v "$cmd" >/dev/null 2>&1 || die "$cmd not found on PATH; $why"
}

require_java() {
  require_cmd java "Java 17+ is needed to run Kafka and DynamoDB Local"
  local v
  v=$(java -version 2>&1 | awk -F'"' '/version/ { print $2; exit }')
  [[ ${v%%.*} =~ ^[0-9]+$ && ${v%%.*} -ge 17 ]] || die "Java 17+ is needed (found ${v:-unknown})"
}

# Holds an exclusive lock on <name> for the rest of the calling shell, so that two `up`s (two terminals,
# two jest runs) never start the same process twice; the wait covers a first run's download.
# fd 9 must not leak into started processes (spawn_detached closes it). Without flock (macOS) no lock.
take_lock() {
  local name=$1
  mkdir -p "$RUN_DIR/$name"
  command -v flock >/dev/null 2>&1 || return 0
  exec 9>"$RUN_DIR/$name/lock"
  flock -w 900 9 || die "timed out waiting for another infra script holding $RUN_DIR/$name/lock"
}

pid_file() { echo "$RUN_DIR/$1/pid"; }

# True when pid $2 is alive and was started by us as service $1. A JVM carries the -D marker; a Go binary
# (Jaeger, Prometheus) cannot, so a flag naming a file in our run directory marks it instead.
is_ours() {
  local name=$1 pid=$2 args
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  args=$(ps -p "$pid" -o args= 2>/dev/null) || return 1
  [[ "$args " == *" -Dtradeflow.infra=$name "* || $args == *"=$RUN_DIR/$name/"* ]]
}

# Portable sha256 of stdin, first 16 hex digits.
short_hash() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi | cut -c1-16
}

# Prints the pid of our running service $1, or nothing (and removes a stale pid file).
running_pid() {
  local name=$1 file pid
  file=$(pid_file "$name")
  [[ -f $file ]] || return 0
  pid=$(<"$file")
  if is_ours "$name" "$pid"; then
    echo "$pid"
  else
    say "$name: removing stale pid file (pid ${pid:-?} is not a running $name started by these scripts)"
    rm -f "$file"
  fi
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Refuses to start when the port is already taken by a process these scripts did not start.
require_free_port() {
  local name=$1 port=$2 owner=''
  port_open "$port" || return 0
  if command -v ss >/dev/null 2>&1; then
    owner=$(ss -ltnpH "sport = :$port" 2>/dev/null | grep -o 'users:(([^)]*))' | head -n1 || true)
  fi
  die "$name: port $port on 127.0.0.1 is already in use by a process these scripts did not start${owner:+ ($owner)}; stop it or pick another port (see TRADEFLOW_*_PORT)"
}

# Starts "$@" detached in its own session, so it outlives the shell (and a Ctrl-C in it); records the pid.
# The pid is written by the process itself before exec, so it is the JVM's pid, not a wrapper's.
spawn_detached() {
  local name=$1 log=$2
  shift 2
  local file
  file=$(pid_file "$name")
  rm -f "$file"
  # setsid: own session, so a Ctrl-C or hang-up in the terminal that ran `up` does not reach it.
  local -a session=()
  if command -v setsid >/dev/null 2>&1; then session=(setsid); fi
  # shellcheck disable=SC2016  # $$ and $@ belong to the inner shell
  ${session[@]+"${session[@]}"} bash -c 'echo $$ >"$0"; exec "$@"' "$file" "$@" </dev/null >"$log" 2>&1 9>&- &
  local i
  for ((i = 0; i < 50; i++)); do
    [[ -s $file ]] && return 0
    sleep 0.1
  done
  die "$name: the process did not start (no pid file); see $log"
}

# Prints the last lines of each log file given, for a failure message.
show_logs() {
  local f
  for f in "$@"; do
    [[ -s $f ]] || continue
    printf '[infra] --- last lines of %s ---\n' "$f" >&2
    tail -n 25 "$f" >&2
  done
}

# Waits until `node probe.js <kind> <address>` succeeds while pid $3 stays alive; on failure prints the logs.
wait_ready() {
  local name=$1 kind=$2 address=$3 pid=$4
  shift 4
  local rc=0
  node --no-warnings "$INFRA_DIR/probe.js" "$kind" "$address" --wait "$START_DEADLINE" --pid "$pid" || rc=$?
  case $rc in
    0) return 0 ;;
    3) say "$name: the process (pid $pid) exited during start-up" ;;
    *) say "$name: did not answer at $address within ${START_DEADLINE}s" ;;
  esac
  show_logs "$@"
  return 1
}

# Sends SIGTERM, waits up to STOP_DEADLINE seconds, then SIGKILL. Returns once the process is gone.
stop_pid() {
  local name=$1 pid=$2 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < STOP_DEADLINE * 10; i++)); do
    is_ours "$name" "$pid" || return 0
    sleep 0.1
  done
  say "$name: still running ${STOP_DEADLINE}s after SIGTERM; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    is_ours "$name" "$pid" || return 0
    sleep 0.1
  done
  die "$name: pid $pid survived SIGKILL"
}

# Records that a person, not a test run, now owns service $1: drops it from the started-by-tests record
# (tests/setup), so Jest's teardown leaves it running. Test setups mark their calls with TRADEFLOW_INFRA_STARTED_BY.
claim_for_user() {
  local name=$1 file="$RUN_DIR/started-by-tests"
  [[ ${TRADEFLOW_INFRA_STARTED_BY:-} != tests && -f $file ]] || return 0
  grep -qx "$name" "$file" || return 0
  grep -vx "$name" "$file" >"$file.tmp" || true
  mv "$file.tmp" "$file"
  [[ -s $file ]] || rm -f "$file"
}

# Common `up` for service $1: reuse it when our process runs, otherwise call the start function $5 (which
# checks its ports and spawns the process with spawn_detached); then wait until it answers a real request.
# usage: service_up NAME PROBE_KIND ADDRESS VAR_NAME START_FN LOG_FILE...   prints VAR_NAME=ADDRESS on stdout.
service_up() {
  local name=$1 kind=$2 address=$3 var=$4 start=$5
  shift 5
  require_java
  require_cmd node "Node.js is needed for the readiness probe"
  take_lock "$name"
  local pid t0=$SECONDS
  pid=$(running_pid "$name")
  if [[ -n $pid ]]; then
    say "$name: already running (pid $pid)"
    wait_ready "$name" "$kind" "$address" "$pid" "$@" ||
      die "$name: pid $pid runs but does not answer; \`$0 down\` then \`$0 up\` restarts it"
  else
    "$start"
    pid=$(<"$(pid_file "$name")")
    if ! wait_ready "$name" "$kind" "$address" "$pid" "$@"; then
      if is_ours "$name" "$pid"; then stop_pid "$name" "$pid"; fi
      rm -f "$(pid_file "$name")"
      die "$name: failed to start"
    fi
    say "$name: ready at $address in $((SECONDS - t0))s (pid $pid, logs in $RUN_DIR/$name/logs)"
  fi
  claim_for_user "$name"
  echo "$var=$address"
}

# Common `down` for service $1: stop it if it runs, remove its pid file; safe to repeat.
service_down() {
  local name=$1 pid
  take_lock "$name"
  claim_for_user "$name"
  pid=$(running_pid "$name")
  if [[ -z $pid ]]; then
    say "$name: not running"
    return 0
  fi
  say "$name: stopping (pid $pid)"
  local t0=$SECONDS
  stop_pid "$name" "$pid"
  rm -f "$(pid_file "$name")"
  say "$name: stopped in $((SECONDS - t0))s"
}

# Common `status` for service $1 at address $2 (probe kind $3); exit 1 when not running.
service_status() {
  local name=$1 address=$2 kind=$3 pid
  pid=$(running_pid "$name")
  if [[ -z $pid ]]; then
    echo "$name: not running"
    return 1
  fi
  if node --no-warnings "$INFRA_DIR/probe.js" "$kind" "$address" >/dev/null 2>&1; then
    echo "$name: running (pid $pid), answering at $address"
  else
    echo "$name: running (pid $pid), NOT answering at $address"
    return 1
  fi
}
