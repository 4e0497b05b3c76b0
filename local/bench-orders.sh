#!/usr/bin/env bash
# POST /sales by order size (1, 5 and 20 lines): the create_sale handler's time without its
# own database round-trips (release build, under a local Lambda Runtime API), and the
# request end to end through the local stack. Uses the running local stack, or starts one.
#   local/bench-orders.sh [--orders N]
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT_DIR"

bash "$LOCAL_DIR/setup.sh" bench
cargo build --quiet --release -p sales --bin create_sale

if ! curl -s -o /dev/null "$API_URL/health/status"; then
  bash "$LOCAL_DIR/up.sh" --background
  trap 'bash "$LOCAL_DIR/down.sh" >/dev/null' EXIT
fi

"$BENCH_VENV/bin/python" "$LOCAL_DIR/bench/order_bench.py" --bin-dir "$CARGO_TARGET_DIR/release" "$@"
