#!/usr/bin/env bash
# Fuzzes every route of openapi.yaml with schemathesis against a running local stack
# (local/up.sh): the public API as a logged-in customer and as an admin, and the internal
# routes (where the gateway serves them apart) as each service that calls them. Every
# check, no 5xx, every response as the document describes it. Extra arguments go to
# schemathesis (e.g. --max-examples 200). Exits non-zero on any failure.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT_DIR"
bash "$LOCAL_DIR/setup.sh" bench

json_field() { "$VENV/bin/python" -c "import json,sys; print(json.load(sys.stdin)[sys.argv[1]])" "$1"; }
post() { curl -sf -X POST "$API_URL$1" -H 'content-type: application/json' "${@:3}" -d "$2"; }

# A customer of its own, so that authenticated routes go deep.
email="fuzz-$(date +%s%N)@example.com"
post /register "{\"email\":\"$email\",\"password\":\"quartz-meadow-lantern\",\"full_name\":\"Fuzz\"}" >/dev/null
customer=$(post /login "{\"email\":\"$email\",\"password\":\"quartz-meadow-lantern\"}" | json_field access_token)

# An admin of its own (the demo admin promotes it), so that whatever the fuzzer does to
# its account (a demotion, say) leaves the other tests' admin alone.
admin_email="fuzz-admin-$(date +%s%N)@example.com"
admin_id=$(post /register "{\"email\":\"$admin_email\",\"password\":\"quartz-meadow-lantern\",\"full_name\":\"Fuzz Admin\"}" | json_field id)
root=$(post /login "{\"email\":\"$DEMO_ADMIN_EMAIL\",\"password\":\"$DEMO_ADMIN_PASSWORD\"}" | json_field access_token)
curl -sf -o /dev/null -X PATCH "$API_URL/profile/$admin_id" -H 'content-type: application/json' \
  -H "Authorization: Bearer $root" -d '{"role":"admin"}'
admin=$(post /login "{\"email\":\"$admin_email\",\"password\":\"quartz-meadow-lantern\"}" | json_field access_token)

# A service token as the service's own functions mint them (local key).
service_token() { PYTHONPATH="$LOCAL_DIR" "$VENV/bin/python" -c 'import sys; from api import service_token; print(service_token(sys.argv[1]))' "$1"; }

schemathesis_run() { # base URL, credentials (a header), then schemathesis arguments
  "$BENCH_VENV/bin/schemathesis" --config-file "$LOCAL_DIR/bench/schemathesis.toml" \
    run openapi.yaml --url "$1" --checks all --workers 2 --max-examples "${FUZZ_MAX_EXAMPLES:-25}" \
    --request-timeout 15 --suppress-health-check all --seed "${FUZZ_SEED:-1}" \
    -H "$2" "${@:3}"
}

# A pass fails on any finding. Only when the fuzzer itself crashed (a "Runtime Error" of its
# own, with no failure of the API reported) is the pass run once more.
fuzz() {
  local log
  log=$(mktemp)
  if schemathesis_run "$@" | tee "$log"; then return 0; fi
  if grep -q "Runtime Error" "$log" && ! grep -q "= FAILURES =" "$log"; then
    echo "fuzz: the fuzzer crashed on its own (not a finding); running the pass again"
    schemathesis_run "$@"
  else
    return 1
  fi
}

echo "fuzz: the public API as a customer"
fuzz "$API_URL" "Authorization: Bearer $customer" --exclude-path-regex '^/internal/' "$@"
echo "fuzz: the public API as an admin"
fuzz "$API_URL" "Authorization: Bearer $admin" --exclude-path-regex '^/internal/' "$@"
# The internal routes take signed calls only (SigV4, as IAM authorization in AWS): the
# fuzzer's go through a proxy that signs them with the stack's credentials.
signing_port=$((INTERNAL_PORT + 10))
"$VENV/bin/python" "$LOCAL_DIR/signingproxy.py" --listen "$signing_port" --to "$INTERNAL_URL" &
signing_proxy=$!
trap 'kill $signing_proxy 2>/dev/null' EXIT
until curl -s -o /dev/null "http://127.0.0.1:$signing_port/"; do sleep 0.2; done
for caller in sales reviews inventory; do
  echo "fuzz: the internal routes as $caller"
  # Other methods on an internal path are a 404, as any path unknown to the public API:
  # nothing tells a stranger which internal paths exist.
  fuzz "http://127.0.0.1:$signing_port" "x-service-token: $(service_token "$caller")" --include-path-regex '^/internal/' \
    --exclude-checks unsupported_method,allow_header_conformance "$@"
done
