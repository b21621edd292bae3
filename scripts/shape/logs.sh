#!/usr/bin/env bash
# `make logs`: follows the logs of the processes `make up` and `make start` run (.run/logs/*.log).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

shopt -s nullglob
logs=("$LOG_DIR"/*.log)
((${#logs[@]} > 0)) || die "no logs in .run/logs yet; \`make up\` or \`make start\` writes them"
exec tail -n "${TRADEFLOW_LOG_LINES:-20}" -F "${logs[@]}"
