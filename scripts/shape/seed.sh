#!/usr/bin/env bash
# `make seed`: loads the demo reference data (markets, instruments, prices, accounts, restricted list, FX
# rates) into the distributed shape's DynamoDB and publishes it on Kafka, through the reference-data seed
# CLI. Idempotent; it also refreshes the prices' timestamps. (The all-in-one seeds itself on start.)
# KAFKA_BROKERS and DYNAMODB_ENDPOINT default to where scripts/infra runs them; TABLE_PREFIX and
# REFERENCE_DATA_SEED are passed through.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cli="$ROOT/services/reference-data/dist/seed/cli.js"
[[ -f $cli ]] || die "services/reference-data/dist/seed/cli.js is missing; run \`make build\` first"
if [[ -z ${KAFKA_BROKERS:-} && -z ${DYNAMODB_ENDPOINT:-} ]]; then
  "$ROOT/scripts/infra/status.sh" >/dev/null 2>&1 ||
    die "Kafka and DynamoDB Local are not both running; \`make up\` starts them (and seeds)"
fi
export KAFKA_BROKERS=${KAFKA_BROKERS:-127.0.0.1:${TRADEFLOW_KAFKA_PORT:-19092}}
export DYNAMODB_ENDPOINT=${DYNAMODB_ENDPOINT:-http://127.0.0.1:${TRADEFLOW_DYNAMODB_PORT:-18000}}

say "seeding reference data into $DYNAMODB_ENDPOINT and Kafka at $KAFKA_BROKERS..."
BUS_ADAPTER=kafka AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true node "$cli" |
  sed 's/^/[tradeflow] seed: /' >&2
