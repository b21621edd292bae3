#!/usr/bin/env bash
# `make up`: the distributed shape without Docker. Kafka and DynamoDB Local from scripts/infra, then every
# service and the gateway as their own background processes (Kafka bus), logs in .run/logs/<name>.log, pids in
# .run/pids/. Loads the seed data once, waits until every /readyz answers, prints the gateway's URL (the one
# public entry), the demo API key and curl examples. Safe to run twice: what runs already is reused. `make down`
# stops what this started.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

t0=$SECONDS
# The demo has no price feed: the seeded prices would turn stale (a rejection) 15 minutes after loading.
export VALIDATION_STALE_PRICE_MAX_AGE=${VALIDATION_STALE_PRICE_MAX_AGE:-24h}
mkdir -p "$LOG_DIR" "$PID_DIR"
# The gateway's admin token and demo key (.run), and its upstreams; the banner prints the same key.
gateway_credentials
gateway_upstreams

for name in "${SERVICES[@]}"; do
  [[ -f $(main_of "$name") ]] || die "services/$name/dist/main.js is missing; run \`make build\` first"
done

# Infrastructure: remember what was not running before, so `make down` stops only that.
before=()
for infra in kafka dynamodb; do
  if "$ROOT/scripts/infra/$infra.sh" status >/dev/null 2>&1; then before+=("$infra"); fi
done
addresses=$("$ROOT/scripts/infra/up.sh")
for infra in kafka dynamodb; do
  if [[ " ${before[*]-} " != *" $infra "* ]] && ! grep -qx "$infra" "$INFRA_RECORD" 2>/dev/null; then
    echo "$infra" >>"$INFRA_RECORD"
  fi
done
KAFKA_BROKERS=$(sed -n 's/^KAFKA_BROKERS=//p' <<<"$addresses")
DYNAMODB_ENDPOINT=$(sed -n 's/^DYNAMODB_ENDPOINT=//p' <<<"$addresses")
[[ -n $KAFKA_BROKERS && -n $DYNAMODB_ENDPOINT ]] || die "scripts/infra/up.sh printed no addresses: $addresses"

# Seed once, before the services start, so their reference caches hold it when they report ready. The seed
# CLI writes to DynamoDB and Kafka itself; it is an idempotent upsert that also refreshes the prices' times.
KAFKA_BROKERS=$KAFKA_BROKERS DYNAMODB_ENDPOINT=$DYNAMODB_ENDPOINT "$SHAPE_DIR/seed.sh"

# Services: start the ones not running, all at once (they meet through Kafka, not through each other).
started=()
for name in "${SERVICES[@]}"; do
  pid=$(running_pid "$name")
  if [[ -n $pid ]]; then
    say "$name: already running (pid $pid)"
    continue
  fi
  port=$(port_of "$name")
  if port_open "$port"; then
    die "$name: port $port on 127.0.0.1 is taken by a process \`make up\` did not start (\`make start\` running?)"
  fi
  log="$LOG_DIR/$name.log"
  printf '\n=== %s: started by make up at %s ===\n' "$name" "$(date -u +%FT%TZ)" >>"$log"
  # Own session (setsid): a Ctrl-C in this terminal must not reach it. The child writes its own pid, then
  # execs node, so the pid file names node itself.
  # shellcheck disable=SC2016  # $$ and $@ belong to the inner shell
  BUS_ADAPTER=kafka KAFKA_BROKERS=$KAFKA_BROKERS DYNAMODB_ENDPOINT=$DYNAMODB_ENDPOINT \
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=${AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED:-true} \
    setsid bash -c 'echo $$ >"$0"; exec "$@"' "$(pid_file "$name")" node "$(main_of "$name")" \
    </dev/null >>"$log" 2>&1 &
  started+=("$name")
done
for name in "${started[@]}"; do
  for ((i = 0; i < 50; i++)); do
    [[ -s $(pid_file "$name") ]] && break
    sleep 0.1
  done
  say "$name: starting (pid $(<"$(pid_file "$name")"), log .run/logs/$name.log)"
done

# Readiness: every service, one deadline; a process that dies stops the wait at once.
deadline=$((SECONDS + READY_DEADLINE))
pending=("${SERVICES[@]}")
while ((${#pending[@]} > 0)); do
  still=()
  for name in "${pending[@]}"; do
    if answers "$(url_of "$name")/readyz"; then
      say "$name: ready at $(url_of "$name")"
      continue
    fi
    if [[ -z $(running_pid "$name") ]]; then
      show_log "$LOG_DIR/$name.log"
      die "$name exited during start-up; \`make down\` stops the rest"
    fi
    still+=("$name")
  done
  pending=(${still[@]+"${still[@]}"})
  ((${#pending[@]} == 0)) && break
  if ((SECONDS > deadline)); then
    for name in "${pending[@]}"; do show_log "$LOG_DIR/$name.log"; done
    die "not ready within ${READY_DEADLINE}s: ${pending[*]}; \`make down\` stops what started"
  fi
  sleep 0.5
done

say "up in $((SECONDS - t0))s: Kafka at $KAFKA_BROKERS, DynamoDB Local at $DYNAMODB_ENDPOINT"
# shellcheck disable=SC2016  # the backquotes are text
print_banner "distributed: one process per service, Kafka and DynamoDB Local from scripts/infra" '`make down`'
