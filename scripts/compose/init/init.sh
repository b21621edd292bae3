#!/usr/bin/env bash
# The one-shot init job of docker compose (image: Dockerfile --target init, the bundle of
# `scripts/ship/bundle.sh init`): the topics of services/contracts with their dead letters, the reference data
# (its tables, the seed, every change published on reference.changes), and the gateway's demo consumer, whose
# API key it prints and leaves in $KEYS_DIR for `ready`. Each step is idempotent; the key is new on every run
# unless GATEWAY_DEMO_API_KEY fixes it. The services create their own tables at start.
set -euo pipefail
cd "$(dirname "$0")/.."
KEYS_DIR=${KEYS_DIR:-/run/tradeflow}
PUBLIC_GATEWAY_URL=${PUBLIC_GATEWAY_URL:-http://localhost:8080}
say() { printf '[init] %s\n' "$*" >&2; }
prefixed() { sed -u 's/^/[init] /' >&2; }

# An empty GATEWAY_DEMO_API_KEY (compose passes one when it is not set) means "issue a fresh key".
[[ -n ${GATEWAY_DEMO_API_KEY:-} ]] || unset GATEWAY_DEMO_API_KEY

say "topics"
node init/ensure-topics.cjs 2>&1 | prefixed

say "reference data"
node services/reference-data/dist/seed/cli.js 2>&1 | prefixed

say "demo consumer"
# `npm run demo-consumer -w @tradeflow/gateway`, without npm (the runtime images have none): the script of
# that name in the gateway's package.json, run in its folder. It prints the key alone on stdout.
script=$(node -p 'require("./services/gateway/package.json").scripts["demo-consumer"]')
key=$(cd services/gateway && bash -c "$script" 2> >(prefixed))
[[ $key =~ ^tfk_ ]] || {
  say "the demo-consumer script printed no API key"
  exit 1
}
if [[ -d $KEYS_DIR && -w $KEYS_DIR ]]; then
  printf '%s\n' "$key" >"$KEYS_DIR/demo-api-key"
fi

cat <<BANNER
[init] ========================================================================================
[init]  Tradeflow: the gateway answers on $PUBLIC_GATEWAY_URL once every service is healthy.
[init]  Demo API key (account DEMO-1, every scope; \`docker compose logs init\` shows it again):
[init]
[init]    $key
[init]
[init]  curl -H "x-api-key: $key" $PUBLIC_GATEWAY_URL/v1/accounts/DEMO-1/trades
[init]  API docs: $PUBLIC_GATEWAY_URL/docs
[init] ========================================================================================
BANNER
