# Shared helpers for the shape scripts (sourced, not run): where the processes of `make up` / `make start`
# keep their logs and pids, which services there are and on which ports they answer.
# shellcheck shell=bash disable=SC2034  # variables here are used by the scripts that source this file

SHAPE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The process helpers of the infrastructure scripts (port_open, running_pid); what differs for the services
# (RUN_DIR, STOP_DEADLINE, pid_file, is_ours, stop_pid) is defined again below, and those helpers call
# whichever definition is current. Messages are tagged [tradeflow].
LOG_TAG=tradeflow
# shellcheck source=../infra/lib.sh
source "$SHAPE_DIR/../infra/lib.sh"
ROOT=$(cd "$SHAPE_DIR/../.." && pwd)
RUN_DIR="$ROOT/.run"
LOG_DIR="$RUN_DIR/logs"
PID_DIR="$RUN_DIR/pids"
# Infrastructure (kafka, dynamodb) that `make up` started, one name a line; `make down` stops only these.
INFRA_RECORD="$RUN_DIR/infra-started-by-up"

# The processes of the distributed shape, in start order (each is services/<name>/dist/main.js); the gateway is
# the public entry, the services are its upstreams.
SERVICES=(reference-data validation trades gateway)

# Seconds to wait for every service's /readyz, and for a service to exit after SIGTERM.
READY_DEADLINE=${TRADEFLOW_READY_TIMEOUT:-120}
STOP_DEADLINE=${TRADEFLOW_STOP_TIMEOUT:-20}

# The HTTP port of a service: its own *_HTTP_PORT variable, else its default (docs/pipeline ports).
port_of() {
  case $1 in
    trades) echo "${TRADES_HTTP_PORT:-8081}" ;;
    reference-data) echo "${REFERENCE_DATA_HTTP_PORT:-8082}" ;;
    validation) echo "${VALIDATION_HTTP_PORT:-8083}" ;;
    gateway) echo "${GATEWAY_HTTP_PORT:-8080}" ;;
    *) die "no port known for service $1" ;;
  esac
}

url_of() { echo "http://127.0.0.1:$(port_of "$1")"; }

main_of() { echo "$ROOT/services/$1/dist/main.js"; }

pid_file() { echo "$PID_DIR/$1.pid"; }

# True when pid $2 is alive and runs service $1's main.js (a recycled pid never passes for ours).
is_ours() {
  local name=$1 pid=$2 args
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  args=$(ps -p "$pid" -o args= 2>/dev/null) || return 1
  [[ $args == *"services/$name/dist/main.js"* ]]
}

# True when $1 (a URL) answers 2xx within two seconds.
answers() {
  curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null
}

# Prints the last lines of a log file for a failure message.
show_log() {
  [[ -s $1 ]] || return 0
  printf '[%s] --- last lines of %s ---\n' "$LOG_TAG" "${1#"$ROOT"/}" >&2
  tail -n "${2:-30}" "$1" >&2
}

# Sends SIGTERM to pid $2 (service $1), waits up to STOP_DEADLINE seconds, then SIGKILL.
stop_pid() {
  local name=$1 pid=$2 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < STOP_DEADLINE * 10; i++)); do
    is_ours "$name" "$pid" || return 0
    sleep 0.1
  done
  say "$name: still running ${STOP_DEADLINE}s after SIGTERM; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}

# The local shapes' gateway credentials, kept under .run so the demo key stays the same from one start to the
# next: the admin token, and the demo consumer's API key (tfk_<key id>_<secret>). A GATEWAY_ADMIN_TOKEN or
# GATEWAY_DEMO_API_KEY already set wins. Exports them with GATEWAY_DEMO_CONSUMER=true for the gateway to use.
ADMIN_TOKEN_FILE="$RUN_DIR/gateway-admin-token"
DEMO_KEY_FILE="$RUN_DIR/gateway-demo-api-key"
gateway_credentials() {
  mkdir -p "$RUN_DIR"
  if [[ -z ${GATEWAY_ADMIN_TOKEN:-} ]]; then
    [[ -s $ADMIN_TOKEN_FILE ]] || (umask 077 && od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$ADMIN_TOKEN_FILE")
    GATEWAY_ADMIN_TOKEN=$(<"$ADMIN_TOKEN_FILE")
  fi
  if [[ -z ${GATEWAY_DEMO_API_KEY:-} ]]; then
    if [[ ! -s $DEMO_KEY_FILE ]]; then
      local id secret
      id=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
      secret=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
      (umask 077 && printf 'tfk_%s_%s' "$id" "$secret" >"$DEMO_KEY_FILE")
    fi
    GATEWAY_DEMO_API_KEY=$(<"$DEMO_KEY_FILE")
  fi
  export GATEWAY_ADMIN_TOKEN GATEWAY_DEMO_API_KEY
  export GATEWAY_DEMO_CONSUMER=${GATEWAY_DEMO_CONSUMER:-true}
}

# The gateway's upstreams: the services at their own ports (an override of *_HTTP_PORT moves both ends).
gateway_upstreams() {
  export GATEWAY_UPSTREAM_TRADES_URL=${GATEWAY_UPSTREAM_TRADES_URL:-$(url_of trades)}
  export GATEWAY_UPSTREAM_REFERENCE_DATA_URL=${GATEWAY_UPSTREAM_REFERENCE_DATA_URL:-$(url_of reference-data)}
  export GATEWAY_UPSTREAM_VALIDATION_URL=${GATEWAY_UPSTREAM_VALIDATION_URL:-$(url_of validation)}
}

# The URLs and curl examples (the same text the all-in-one prints): print_banner "<what runs>" "<how to stop>".
print_banner() {
  node "$ROOT/services/all-in-one/dist/banner-cli.js" "$@"
}
