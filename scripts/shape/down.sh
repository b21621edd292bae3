#!/usr/bin/env bash
# `make down`: stops the services `make up` started (reverse order), then the infrastructure it started
# (not Kafka or DynamoDB Local that were running before `make up`). Safe to run twice.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

rc=0
for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do
  name=${SERVICES[i]}
  pid=$(running_pid "$name")
  if [[ -z $pid ]]; then
    say "$name: not running"
    continue
  fi
  say "$name: stopping (pid $pid)"
  stop_pid "$name" "$pid" || rc=1
  rm -f "$(pid_file "$name")"
done

if [[ -s $INFRA_RECORD ]]; then
  while read -r infra; do
    [[ -n $infra ]] || continue
    "$ROOT/scripts/infra/$infra.sh" down || rc=1
  done <"$INFRA_RECORD"
  rm -f "$INFRA_RECORD"
else
  say "leaving Kafka and DynamoDB Local as they were (\`make up\` did not start them; \`make infra-down\` stops them)"
fi
exit "$rc"
