#!/usr/bin/env bash
# The recommendation figures through the API, beside the offline ones on the same split:
# splits the purchases with the evaluation kit's fixed protocol, starts a private stack
# (in memory, on ports 9200/8200, beside any developer stack), imports the train part,
# refreshes the model, asks GET /recommendations for every test user, scores both, and
# stops the stack.
#   local/evaluate-recommendations.sh [INTERACTIONS_CSV]
# Default: all of the kit's UCI Online Retail purchases (330k training rows, 2,496 test
# users; about 10 minutes on 2 cores). The committed slice
# (functions/reviews/reco/testdata/online_retail_slice.csv) takes about a minute.
set -euo pipefail
export API_PORT="${EVAL_API_PORT:-9200}"
export DYNAMODB_PORT="${EVAL_DYNAMODB_PORT:-8200}"
export STATE_DIR="$(cd "$(dirname "$0")/.." && pwd)/.local/reco-eval"
export DYNAMODB_IN_MEMORY=true
source "$(dirname "$0")/env.sh"
cd "$ROOT_DIR"
KIT="${EVALUATION_KIT:-$ROOT_DIR/../shared/data}"
INTERACTIONS="${1:-$KIT/online_retail_uci/interactions.csv}"
OUT="$STATE_DIR/results"
mkdir -p "$OUT"
started=$SECONDS
step() { echo "== $* ($((SECONDS - started)) s)"; }

python3 "$KIT/eval_reco.py" split --interactions "$INTERACTIONS" --out "$OUT/split" >/dev/null
step "offline"
cargo build --quiet --release -p reco --bin reco
"$CARGO_TARGET_DIR/release/reco" recommend --train "$OUT/split/train.csv" --users "$OUT/split/test_users.csv" \
  --out "$OUT/recs-offline.csv"
python3 "$KIT/eval_reco.py" score --split-dir "$OUT/split" --recs "$OUT/recs-offline.csv"

step "a private stack on $API_URL"
bash "$LOCAL_DIR/down.sh" >/dev/null 2>&1 || true
trap 'bash "$LOCAL_DIR/down.sh" >/dev/null 2>&1' EXIT
bash "$LOCAL_DIR/up.sh" --background --no-seed >/dev/null
# The admin that asks for every test user's list.
ADMIN_EMAIL="$DEMO_ADMIN_EMAIL" ADMIN_PASSWORD="$DEMO_ADMIN_PASSWORD" ADMIN_FULL_NAME="Evaluation admin" \
  "$CARGO_TARGET_DIR/$BUILD_PROFILE/create_admin" >/dev/null

step "import"
"$VENV/bin/python" "$LOCAL_DIR/reco_eval.py" import --interactions "$OUT/split/train.csv" \
  --products "$KIT/online_retail_uci/products.csv" --out "$OUT"
step "refresh"
/usr/bin/time -f "refresh: %e s wall, peak RSS %M KiB" "$CARGO_TARGET_DIR/$BUILD_PROFILE/refresh_recommendations"
step "through the API"
"$VENV/bin/python" "$LOCAL_DIR/reco_eval.py" recommend --ids "$OUT/ids.csv" --users "$OUT/split/test_users.csv" \
  --out "$OUT/recs.csv"
python3 "$KIT/eval_reco.py" score --split-dir "$OUT/split" --recs "$OUT/recs.csv"
step "done"
