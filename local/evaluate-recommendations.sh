#!/usr/bin/env bash
# The recommendation figure through the API: split the purchase data with the fixed
# protocol, import the train part into a running local stack (local/up.sh, best fresh),
# refresh the model, ask GET /recommendations for every test user, and score.
#   local/evaluate-recommendations.sh [DATA_DIR]   (default: ../shared/data)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT_DIR"
DATA="${1:-$ROOT_DIR/../shared/data}"
OUT="$STATE_DIR/reco-eval"
mkdir -p "$OUT"
python3 "$DATA/eval_reco.py" split --interactions "$DATA/online_retail_uci/interactions.csv" --out "$OUT/split" >/dev/null
"$VENV/bin/python" "$LOCAL_DIR/reco_eval.py" import --interactions "$OUT/split/train.csv" \
  --products "$DATA/online_retail_uci/products.csv" --out "$OUT"
cargo build --quiet -p reviews --bin refresh_recommendations
"$CARGO_TARGET_DIR/debug/refresh_recommendations"
"$VENV/bin/python" "$LOCAL_DIR/reco_eval.py" recommend --ids "$OUT/ids.csv" --users "$OUT/split/test_users.csv" \
  --out "$OUT/recs.csv"
python3 "$DATA/eval_reco.py" score --split-dir "$OUT/split" --recs "$OUT/recs.csv"
