#!/usr/bin/env bash
# Load test: the Locust scenario in local/bench/locustfile.py against the local stack (or
# any stack: LOAD_HOST=https://...), bounded in users and time, then the invariant check
# (no oversell, stock and money conserved, no 5xx). Exits non-zero if an invariant broke.
#   local/load.sh [USERS] [SECONDS]          (default 20 users for 60 s)
# Statistics go to stdout and $STATE_DIR/load/ (CSV); against the local stack, then the
# peak memory of every function process.
set -euo pipefail
source "$(dirname "$0")/env.sh"
bash "$LOCAL_DIR/setup.sh" bench
users="${1:-20}"
seconds="${2:-60}"
mkdir -p "$STATE_DIR/load"
"$BENCH_VENV/bin/locust" -f "$LOCAL_DIR/bench/locustfile.py" --headless --only-summary \
  --host "${LOAD_HOST:-$API_URL}" -u "$users" -r "$users" -t "${seconds}s" --stop-timeout 30 \
  --csv "$STATE_DIR/load/run" --exit-code-on-error 1
if [ -z "${LOAD_HOST:-}" ]; then
  "$BENCH_VENV/bin/python" "$LOCAL_DIR/bench/peak_rss.py" "$CARGO_TARGET_DIR/$BUILD_PROFILE"
fi
