#!/usr/bin/env bash
# The last one-shot of `docker compose up`: runs once the gateway is healthy and says so, with the demo API key
# the init job left in $KEYS_DIR, so the end of the output is what a person needs.
set -euo pipefail
KEYS_DIR=${KEYS_DIR:-/run/tradeflow}
PUBLIC_GATEWAY_URL=${PUBLIC_GATEWAY_URL:-http://localhost:8080}
key=$(cat "$KEYS_DIR/demo-api-key" 2>/dev/null || echo '(see `docker compose logs init`)')
cat <<BANNER
[ready] Tradeflow is up: gateway $PUBLIC_GATEWAY_URL (API docs $PUBLIC_GATEWAY_URL/docs)
[ready] Demo API key: $key
[ready] Try: curl -H "x-api-key: $key" $PUBLIC_GATEWAY_URL/v1/accounts/DEMO-1/trades
BANNER
