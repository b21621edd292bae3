#!/usr/bin/env bash
# Starts Kafka and DynamoDB Local on loopback (each only if not already running), waits until both answer
# a real request, then prints their addresses as KAFKA_BROKERS=... and DYNAMODB_ENDPOINT=... lines.
# Progress goes to stderr, the addresses to stdout, so `eval "$(scripts/infra/up.sh)"` works.
set -euo pipefail
dir=$(dirname "$0")
t0=$SECONDS
"$dir/kafka.sh" up
"$dir/dynamodb.sh" up
printf '[infra] up in %ss\n' "$((SECONDS - t0))" >&2
