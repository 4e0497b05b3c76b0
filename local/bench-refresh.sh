#!/usr/bin/env bash
# The scheduled recommendation refresh at scale, on DynamoDB Local: for each scale S, a
# fresh engine (in memory, port 8300) holds S disjoint copies of the evaluation kit's
# training purchases in the recommender's table; refresh_recommendations (release) then
# reads them all, fits and writes the model. Prints its report (read, fit, write and total
# time) with its wall time and peak RSS.
#   local/bench-refresh.sh [SCALES]      default "1" (about 3 minutes). DynamoDB Local slows
# down as its table grows: at 10 loading takes 21 minutes and its scan did not finish in 13,
# so larger scales measure the emulator more than the refresh (see docs/benchmarks.md,
# "The refresh at scale").
set -euo pipefail
export DYNAMODB_PORT="${BENCH_DYNAMODB_PORT:-8300}"
export STATE_DIR="$(cd "$(dirname "$0")/.." && pwd)/.local/bench-refresh"
export DYNAMODB_JAVA_OPTS="${DYNAMODB_JAVA_OPTS:--Xmx6g -XX:+UseSerialGC}"
source "$(dirname "$0")/env.sh"
cd "$ROOT_DIR"
KIT="${EVALUATION_KIT:-$ROOT_DIR/../shared/data}"
SCALES="${1:-1}"
SPLIT="$STATE_DIR/split"

bash "$LOCAL_DIR/setup.sh"
mkdir -p "$STATE_DIR"
[ -f "$SPLIT/train.csv" ] ||
  python3 "$KIT/eval_reco.py" split --interactions "$KIT/online_retail_uci/interactions.csv" --out "$SPLIT" >/dev/null
cargo build --quiet --release -p reviews --bin refresh_recommendations
REFRESH="$CARGO_TARGET_DIR/release/refresh_recommendations"

engine=""
stop_engine() { [ -z "$engine" ] || { kill "$engine" 2>/dev/null; wait "$engine" 2>/dev/null || true; engine=""; }; }
trap stop_engine EXIT

for scale in $SCALES; do
  bash "$LOCAL_DIR/dynamodb-local.sh" "$DYNAMODB_PORT" -inMemory >"$STATE_DIR/dynamodb.log" 2>&1 &
  engine=$!
  until curl -s -o /dev/null "$DYNAMODB_ENDPOINT"; do sleep 0.3; done
  "$VENV/bin/python" "$LOCAL_DIR/tables.py" --endpoint "$DYNAMODB_ENDPOINT" --template "$ROOT_DIR/template.yaml" >/dev/null
  "$VENV/bin/python" "$LOCAL_DIR/reco_eval.py" copies --interactions "$SPLIT/train.csv" --scale "$scale"
  echo "== refresh at x$scale"
  RUST_LOG=info /usr/bin/time -f "x$scale refresh: %e s wall, peak RSS %M KiB" "$REFRESH" 2>&1 |
    grep -E "recommendations refreshed|refresh:" | sed -E 's/.*(Report \{[^}]*\}).*/\1/'
  stop_engine
done
