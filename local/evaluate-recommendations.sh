#!/usr/bin/env bash
# The recommendation figure through the API, beside the offline one on the same split:
# split the purchases with the evaluation kit's fixed protocol, import the train part into a
# running local stack (start it fresh, with patient database calls:
# DYNAMODB_TIMEOUT_MS=60000 local/up.sh --background --no-seed), refresh the model, ask
# GET /recommendations for every test user, and score both.
#   local/evaluate-recommendations.sh [INTERACTIONS_CSV]
# Default: the committed slice of the UCI Online Retail data (1 customer in 8). The whole
# file works too, but the local engine answers a query in time proportional to the table,
# so through the API it takes hours; the offline tool takes seconds on it.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT_DIR"
KIT="${EVALUATION_KIT:-$ROOT_DIR/../shared/data}"
INTERACTIONS="${1:-$ROOT_DIR/functions/reviews/reco/testdata/online_retail_slice.csv}"
OUT="$STATE_DIR/reco-eval"
mkdir -p "$OUT"
python3 "$KIT/eval_reco.py" split --interactions "$INTERACTIONS" --out "$OUT/split" >/dev/null
echo "== offline"
cargo build --quiet --release -p reco --bin reco
"$CARGO_TARGET_DIR/release/reco" recommend --train "$OUT/split/train.csv" --users "$OUT/split/test_users.csv" \
  --out "$OUT/recs-offline.csv"
python3 "$KIT/eval_reco.py" score --split-dir "$OUT/split" --recs "$OUT/recs-offline.csv"
echo "== through the API"
"$VENV/bin/python" "$LOCAL_DIR/reco_eval.py" import --interactions "$OUT/split/train.csv" \
  --products "$KIT/online_retail_uci/products.csv" --out "$OUT"
cargo build --quiet -p reviews --bin refresh_recommendations
"$CARGO_TARGET_DIR/$BUILD_PROFILE/refresh_recommendations"
"$VENV/bin/python" "$LOCAL_DIR/reco_eval.py" recommend --ids "$OUT/ids.csv" --users "$OUT/split/test_users.csv" \
  --out "$OUT/recs.csv"
python3 "$KIT/eval_reco.py" score --split-dir "$OUT/split" --recs "$OUT/recs.csv"
