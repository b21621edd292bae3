#!/usr/bin/env bash
# `make bench`: measures the trade pipeline in one bounded run (at most BENCH_BUDGET seconds, default 360):
# starts the distributed shape with `make up`'s script (Kafka and DynamoDB Local from scripts/infra, one
# process per service, all on loopback), runs scripts/bench/pipeline/main.ts (raw DynamoDB and Kafka
# ceilings, end-to-end maximum, latency at 25/50/75% of it, item writes per trade, peak RSS), then stops
# every process it started, on success, failure or Ctrl-C. BENCH_CPU_PROF=1 also profiles the services
# (V8's CPU profiler, as node --cpu-prof) and prints their hot frames. docs/load-testing.md describes the knobs.
set -euo pipefail
# shellcheck source=../shape/lib.sh
source "$(dirname "$0")/../shape/lib.sh"

t0=$SECONDS
BUDGET=${BENCH_BUDGET:-360}
# Kept back from the budget for stopping everything (services drain, then Kafka and DynamoDB Local stop).
STOP_RESERVE=40
BENCH_DIR="$RUN_DIR/bench"
PROFILE_DIR="$BENCH_DIR/profiles"

# A running shape would be measured and then stopped by us: refuse instead.
for name in "${SERVICES[@]}"; do
  pid=$(running_pid "$name")
  [[ -z $pid ]] || die "$name is running (pid $pid, \`make up\`?): \`make down\` first; make bench starts and stops its own"
done
for name in "${SERVICES[@]}"; do
  port=$(port_of "$name")
  ! port_open "$port" || die "port $port ($name) is taken (\`make start\`?): stop it first; make bench needs the ports of \`make up\`"
done

# BENCH_NICE (e.g. -10): every process the run starts (services, gateway, the measuring process) gets that
# scheduling priority, so other work on a shared machine weighs less on the figures. Infrastructure that was
# already running keeps its own.
NICE=()
if [[ -n ${BENCH_NICE:-} ]]; then
  if ! [[ $BENCH_NICE =~ ^-?[0-9]+$ ]] || ((BENCH_NICE < -20 || BENCH_NICE > 19)); then
    die "BENCH_NICE must be an integer from -20 to 19, got $BENCH_NICE"
  fi
  NICE=(nice -n "$BENCH_NICE")
fi

mkdir -p "$BENCH_DIR"
rm -rf "$PROFILE_DIR"
# The gateway's admin credential for this run: the benchmark creates its own consumer and key with it.
GATEWAY_ADMIN_TOKEN=${GATEWAY_ADMIN_TOKEN:-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')}
export GATEWAY_ADMIN_TOKEN
# Access logs per request cost CPU the 2-core machine needs for the pipeline (the e2e suite does the same).
export LOG_LEVEL=${LOG_LEVEL:-warn}

stopped=0
stop_all() {
  ((stopped)) && return 0
  stopped=1
  if [[ -d $PROFILE_DIR ]]; then
    for name in "${SERVICES[@]}"; do
      pid=$(running_pid "$name")
      [[ -z $pid ]] || echo "$name $pid" >>"$PROFILE_DIR/pids"
    done
  fi
  "$SHAPE_DIR/down.sh" || say "make down reported a problem; check \`make infra-status\`"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

if [[ ${BENCH_CPU_PROF:-0} == 1 ]]; then
  mkdir -p "$PROFILE_DIR"
  say "profiling the services (V8 CPU profiler, 1 ms sampling) into ${PROFILE_DIR#"$ROOT"/}"
  # Node 20 refuses --cpu-prof in NODE_OPTIONS; a preload starts the same profiler in each service only.
  BENCH_PROFILE_DIR=$PROFILE_DIR NODE_OPTIONS="${NODE_OPTIONS:-} --require $ROOT/scripts/bench/pipeline/cpu-profiler.cjs" \
    ${NICE[@]+"${NICE[@]}"} "$SHAPE_DIR/up.sh"
else
  ${NICE[@]+"${NICE[@]}"} "$SHAPE_DIR/up.sh"
fi

left=$((BUDGET - (SECONDS - t0) - STOP_RESERVE))
((left > 60)) || die "the shape took $((SECONDS - t0))s to start; no time left in the ${BUDGET}s budget to measure"
say "measuring (at most ${left}s)"
rc=0
# SIGTERM at the deadline, SIGKILL 5 s later: the measuring process holds no resources the shape needs.
timeout --foreground -k 5 "$left" ${NICE[@]+"${NICE[@]}"} node -r "$ROOT/tests/support/register-ts.cjs" "$ROOT/scripts/bench/pipeline/main.ts" || rc=$?
((rc != 124)) || say "measuring ran out of its ${left}s"

stop_all
if [[ -d $PROFILE_DIR ]]; then
  node -r "$ROOT/tests/support/register-ts.cjs" "$ROOT/scripts/bench/pipeline/cpu-profile-top.ts" "$PROFILE_DIR" 12 |
    tee "$BENCH_DIR/cpu-profile-top.txt"
fi
say "bench done in $((SECONDS - t0))s (exit $rc)"
exit "$rc"
