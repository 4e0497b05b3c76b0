#!/usr/bin/env bash
# Fuzzes every route of openapi.yaml with schemathesis against a running local stack
# (local/up.sh), as an anonymous caller and as a logged-in customer: every check, no 5xx,
# every response as the document describes it. Extra arguments go to schemathesis
# (e.g. --max-examples 200). Exits non-zero on any failure.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT_DIR"
bash "$LOCAL_DIR/bench-setup.sh"

# A customer of its own, with a little money, so that authenticated routes go deep.
email="fuzz-$(date +%s%N)@example.com"
curl -sf -o /dev/null -X POST "$API_URL/register" -H 'content-type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"fuzz-password\",\"full_name\":\"Fuzz\"}"
token=$(curl -sf -X POST "$API_URL/login" -H 'content-type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"fuzz-password\"}" |
  "$VENV/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

"$BENCH_VENV/bin/schemathesis" run openapi.yaml --url "$API_URL" \
  --checks all --workers 2 --max-examples "${FUZZ_MAX_EXAMPLES:-25}" \
  --request-timeout 15 --suppress-health-check all --seed "${FUZZ_SEED:-1}" \
  -H "Authorization: Bearer $token" "$@"
