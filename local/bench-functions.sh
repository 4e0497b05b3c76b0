#!/usr/bin/env bash
# Cold start, first request, warm handler time, peak memory and size of every function
# (release build), beside a Python 3.11 + boto3 baseline, each under a local Lambda
# Runtime API. Uses the running local stack for data and peers, or starts one.
#   local/bench-functions.sh [--cold-runs N] [--warm-runs N] [--only FUNCTION...] [--peer BINARY]
# --peer runs another Rust get-product (local/bench/peer.sh builds aws-samples/serverless-rust-demo's)
# right before each cold start of ours, for a ratio from the same moments of the same run.
# Figures go to stdout (a Markdown table) and $STATE_DIR/bench/functions.json.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT_DIR"

bash "$LOCAL_DIR/setup.sh" bench
# The functions as they are deployed (local/package.sh builds the same packages): features
# resolved over the function packages alone, not over the test crates too as the local
# gateway's builds are.
packages=()
for dir in functions/*/; do packages+=(-p "$(basename "$dir")"); done
cargo build --quiet --release "${packages[@]}" --bins

if ! curl -s -o /dev/null "$API_URL/health/status"; then
  bash "$LOCAL_DIR/up.sh" --background
  trap 'bash "$LOCAL_DIR/down.sh" >/dev/null' EXIT
fi

"$BENCH_VENV/bin/python" "$LOCAL_DIR/bench/lambda_bench.py" \
  --bin-dir "$CARGO_TARGET_DIR/release" --out "$STATE_DIR/bench/functions.json" "$@"
