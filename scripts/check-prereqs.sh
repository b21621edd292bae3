#!/usr/bin/env bash
# Fails early, with one clear line, when a prerequisite the README names is missing.
set -euo pipefail
fail() { echo "tradeflow: $*" >&2; exit 1; }
command -v node >/dev/null || fail "Node.js 20.11+ is required (node not found on PATH)"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=11)?0:1)' \
  || fail "Node.js 20.11+ is required (found $(node --version))"
command -v java >/dev/null || fail "Java 17+ is required for DynamoDB Local and Kafka (java not found on PATH)"
jv=$(java -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')
[[ ${jv%%.*} -ge 17 ]] || fail "Java 17+ is required (found $jv)"
