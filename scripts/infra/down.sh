#!/usr/bin/env bash
# Stops the local Kafka and DynamoDB Local started by up.sh; safe to run when they are not running.
# Tries both even if one fails, and fails if either did.
set -euo pipefail
dir=$(dirname "$0")
rc=0
"$dir/kafka.sh" down || rc=1
"$dir/dynamodb.sh" down || rc=1
exit "$rc"
