#!/usr/bin/env bash
# `make start`: every service and the gateway in one process (the all-in-one) in the foreground, with the memory
# bus, DynamoDB Local as its child process, the demo data loaded and the gateway's demo consumer created. Its
# JSON logs go to .run/logs/all-in-one.log; the terminal shows the gateway's URL, the demo API key and curl
# examples once everything is ready. Ctrl-C stops it cleanly (the
# modules in reverse order, DynamoDB Local last).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

main="$ROOT/services/all-in-one/dist/main.js"
[[ -f $main ]] || die "services/all-in-one/dist/main.js is missing; run \`make build\` first"
for name in "${SERVICES[@]}"; do
  [[ -z $(running_pid "$name") ]] ||
    die "the distributed shape is running (\`make up\`) on the same ports; \`make down\` first"
done

mkdir -p "$LOG_DIR"
# The gateway's admin token and demo key, kept in .run so the key stays the same from one start to the next.
gateway_credentials
# The demo has no price feed: the seeded prices would turn stale (a rejection) 15 minutes after loading.
export VALIDATION_STALE_PRICE_MAX_AGE=${VALIDATION_STALE_PRICE_MAX_AGE:-24h}
log="$LOG_DIR/all-in-one.log"
printf '\n=== all-in-one: started by make start at %s ===\n' "$(date -u +%FT%TZ)" >>"$log"
say "starting every service in one process (logs: .run/logs/all-in-one.log, or \`make logs\` in another terminal)..."

# node runs in its own session (setsid), so a signal reaches it exactly once, from this shell: Ctrl-C (the
# terminal signals this shell's group) and a SIGTERM (make forwards one when it is killed, `timeout` signals the
# group) are passed on as SIGTERM. node shuts down in order, this shell waits for it, then reports.
interrupted=0
child=
# One signal often arrives twice at once (make forwards the SIGTERM `timeout` sent to the whole group): pass
# the first on, and a later one (a second Ctrl-C: stop now) only when it comes a second or more after it.
first_signal=-1
forward_signal() {
  interrupted=1
  if ((first_signal < 0 || SECONDS - first_signal >= 1)); then
    ((first_signal >= 0)) || first_signal=$SECONDS
    [[ -n $child ]] && kill -TERM "$child" 2>/dev/null || true
  fi
}
trap forward_signal INT TERM
rc=0
# stdout (the JSON log) to the file; stderr (the banner, a configuration error) stays on the terminal.
ALL_IN_ONE_BANNER=true \
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=${AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED:-true} \
  setsid node "$main" >>"$log" &
child=$!
# `wait` returns early when a trapped signal arrives: keep waiting until node itself has exited.
while :; do
  rc=0
  wait "$child" || rc=$?
  kill -0 "$child" 2>/dev/null || break
done
if ((interrupted)); then
  if ((rc == 0)); then say "stopped"; else say "stopped (exit code $rc; see .run/logs/all-in-one.log)"; fi
  exit 0
fi
if ((rc != 0)); then
  show_log "$log"
  die "the all-in-one exited with code $rc"
fi
