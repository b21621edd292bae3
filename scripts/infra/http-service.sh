# Helpers for the infrastructure processes that answer over HTTP and are not JVMs (Jaeger, Prometheus):
# start once, wait until a URL answers, stop, report. Sourced after lib.sh, not run.
# shellcheck shell=bash

# True when $1 (a URL) answers 2xx within two seconds.
http_answers() {
  curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null
}

# Waits until URL $3 answers while pid $2 (service $1) stays alive; on failure prints the logs $4...
wait_http_ready() {
  local name=$1 pid=$2 url=$3
  shift 3
  local deadline=$((SECONDS + START_DEADLINE))
  while ! http_answers "$url"; do
    if ! is_ours "$name" "$pid"; then
      say "$name: the process (pid $pid) exited during start-up"
      show_logs "$@"
      return 1
    fi
    if ((SECONDS > deadline)); then
      say "$name: did not answer at $url within ${START_DEADLINE}s"
      show_logs "$@"
      return 1
    fi
    sleep 0.2
  done
}

# `up` of HTTP service $1: reuse ours when it runs and answers at $2, else call the start function $3 (which
# writes its config, checks its ports and spawns the process with spawn_detached); then wait until $2 answers.
# usage: http_service_up NAME READY_URL START_FN LOG_FILE...
http_service_up() {
  local name=$1 url=$2 start=$3
  shift 3
  require_cmd curl "curl is needed for the readiness check"
  take_lock "$name"
  local pid t0=$SECONDS
  pid=$(running_pid "$name")
  if [[ -n $pid ]]; then
    say "$name: already running (pid $pid)"
    wait_http_ready "$name" "$pid" "$url" "$@" ||
      die "$name: pid $pid runs but does not answer; \`$0 stop\` then \`$0 start\` restarts it"
  else
    "$start"
    pid=$(<"$(pid_file "$name")")
    if ! wait_http_ready "$name" "$pid" "$url" "$@"; then
      if is_ours "$name" "$pid"; then stop_pid "$name" "$pid"; fi
      rm -f "$(pid_file "$name")"
      die "$name: failed to start"
    fi
    say "$name: ready in $((SECONDS - t0))s (pid $pid, logs in $RUN_DIR/$name/logs)"
  fi
}

# `status` of HTTP service $1 answering at $2; exit 1 when not running or not answering.
http_service_status() {
  local name=$1 url=$2 pid
  pid=$(running_pid "$name")
  if [[ -z $pid ]]; then
    echo "$name: not running"
    return 1
  fi
  if http_answers "$url"; then
    echo "$name: running (pid $pid), answering at $url"
  else
    echo "$name: running (pid $pid), NOT answering at $url"
    return 1
  fi
}
