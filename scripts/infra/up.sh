#!/usr/bin/env bash
# Starts Kafka and DynamoDB Local on loopback (each only if not already running; both at once), waits until
# both answer a real request, then prints their addresses as KAFKA_BROKERS=... and DYNAMODB_ENDPOINT=...
# lines. Progress goes to stderr, the addresses to stdout, so `eval "$(scripts/infra/up.sh)"` works.
set -euo pipefail
dir=$(dirname "$0")
t0=$SECONDS
out=$(mktemp)
trap 'rm -f "$out"' EXIT
rc=0
"$dir/kafka.sh" up >"$out" &
kafka=$!
"$dir/dynamodb.sh" up || rc=1
wait "$kafka" || rc=1
cat "$out"
if ((rc != 0)); then
  printf '[infra] error: not everything started; see above. scripts/infra/down.sh stops what did.\n' >&2
  exit 1
fi
printf '[infra] up in %ss\n' "$((SECONDS - t0))" >&2
