#!/usr/bin/env bash
# Reports whether the local Kafka and DynamoDB Local are running and answering; exit 1 if either is not.
set -uo pipefail
dir=$(dirname "$0")
rc=0
"$dir/kafka.sh" status || rc=1
"$dir/dynamodb.sh" status || rc=1
exit "$rc"
