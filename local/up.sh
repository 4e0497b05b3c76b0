#!/usr/bin/env bash
# Runs the whole platform locally with demo data:
#   DynamoDB Local, the tables from template.yaml, the API gateway, the demo data.
# Foreground by default: Ctrl-C stops everything. `--background` returns once it is ready
# (stop it with local/down.sh). The data stays in $DYNAMODB_DATA_DIR across restarts;
# `--fresh` deletes it first; `--no-seed` skips the demo data. Ports and the rest come
# from local/env.sh.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT_DIR"

background=false
seed=true
fresh=false
for arg in "$@"; do
  case "$arg" in
    --background) background=true ;;
    --no-seed) seed=false ;;
    --fresh) fresh=true ;;
    *) echo "usage: local/up.sh [--background] [--no-seed] [--fresh]" >&2; exit 2 ;;
  esac
done

running() { [ -f "$STATE_DIR/pids/$1" ] && kill -0 "$(cat "$STATE_DIR/pids/$1")" 2>/dev/null; }

wait_for() { # url, what, seconds
  local deadline=$((SECONDS + $3))
  until curl -s -o /dev/null "$1"; do
    if [ $SECONDS -ge $deadline ]; then
      echo "up: $2 did not come up in $3 s; see $STATE_DIR/logs" >&2
      return 1
    fi
    sleep 0.3
  done
}

bash "$LOCAL_DIR/setup.sh"
mkdir -p "$STATE_DIR/pids" "$STATE_DIR/logs"

if running gateway || running functions || running dynamodb || running xray || running eventbus || running streams; then
  echo "up: already running (local/down.sh stops it)"
  exit 1
fi
# Another stack (or anything else) on these ports would answer in this one's place.
for port in "$API_PORT" "$INTERNAL_PORT" "$LAMBDA_PORT" "$DYNAMODB_PORT" "$DYNAMODB_LINK_PORT" "$EVENTBRIDGE_PORT" \
  "$INVENTORY_LINK_PORT" "$CUSTOMERS_LINK_PORT" "$REVIEWS_LINK_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "up: port $port is already in use (another stack? set API_PORT and DYNAMODB_PORT)" >&2
    exit 1
  fi
done

stop_all() { bash "$LOCAL_DIR/down.sh"; }
if ! $background; then trap 'stop_all; exit 0' INT TERM; fi
trap '[ $? -eq 0 ] || stop_all' EXIT

storage=(-inMemory)
if [ "$DYNAMODB_IN_MEMORY" != true ]; then
  $fresh && rm -rf "$DYNAMODB_DATA_DIR"
  mkdir -p "$DYNAMODB_DATA_DIR"
  storage=(-dbPath "$DYNAMODB_DATA_DIR")
fi
echo "up: starting DynamoDB Local on port $DYNAMODB_PORT (${storage[*]})"
setsid bash "$LOCAL_DIR/dynamodb-local.sh" "$DYNAMODB_PORT" "${storage[@]}" \
  >"$STATE_DIR/logs/dynamodb.log" 2>&1 </dev/null &
echo $! >"$STATE_DIR/pids/dynamodb"
wait_for "$DYNAMODB_ENDPOINT" "DynamoDB Local" 60
"$VENV/bin/python" "$LOCAL_DIR/tables.py" --endpoint "$DYNAMODB_ENDPOINT" --template "$ROOT_DIR/template.yaml"

echo "up: starting the database link on port $DYNAMODB_LINK_PORT"
mkdir -p "$STATE_DIR/links"
echo up >"$STATE_DIR/links/dynamodb"
rm -f "$STATE_DIR/links/dynamodb.throttled" # the new link counts from zero
setsid "$VENV/bin/python" "$LOCAL_DIR/dblink.py" --listen "$DYNAMODB_LINK_PORT" --to "$DYNAMODB_ENDPOINT" \
  --control "$STATE_DIR/links/dynamodb" >"$STATE_DIR/logs/link-dynamodb.log" 2>&1 </dev/null &
echo $! >"$STATE_DIR/pids/link-dynamodb"

echo "up: starting the service links on ports $INVENTORY_LINK_PORT, $CUSTOMERS_LINK_PORT and $REVIEWS_LINK_PORT"
mkdir -p "$STATE_DIR/links"
for link in inventory:$INVENTORY_LINK_PORT customers:$CUSTOMERS_LINK_PORT reviews:$REVIEWS_LINK_PORT; do
  name=${link%%:*}; port=${link##*:}
  echo up >"$STATE_DIR/links/$name"
  setsid "$VENV/bin/python" "$LOCAL_DIR/faultproxy.py" --listen "$port" --to "$INTERNAL_PORT" \
    --control "$STATE_DIR/links/$name" >"$STATE_DIR/logs/link-$name.log" 2>&1 </dev/null &
  echo $! >"$STATE_DIR/pids/link-$name"
done

echo "up: starting the trace collector (X-Ray daemon stand-in) on UDP port $XRAY_PORT"
setsid "$VENV/bin/python" "$LOCAL_DIR/xray.py" listen --port "$XRAY_PORT" --out "$STATE_DIR/logs/traces.jsonl" \
  >"$STATE_DIR/logs/xray.log" 2>&1 </dev/null &
echo $! >"$STATE_DIR/pids/xray"

echo "up: starting the event bus (EventBridge stand-in) on port $EVENTBRIDGE_PORT"
echo up >"$STATE_DIR/links/eventbus"
setsid "$VENV/bin/python" "$LOCAL_DIR/eventbus.py" --port "$EVENTBRIDGE_PORT" --out "$STATE_DIR/logs/events.jsonl" \
  --control "$STATE_DIR/links/eventbus" >"$STATE_DIR/logs/eventbus.log" 2>&1 </dev/null &
echo $! >"$STATE_DIR/pids/eventbus"

echo "up: building the functions"
bash "$LOCAL_DIR/build.sh"

echo "up: starting the functions (Lambda emulator, private, on port $LAMBDA_PORT)"
profile=()
[ "$BUILD_PROFILE" = release ] && profile=(--release)
# The emulator takes invocations from anything that reaches its port; the functions take
# only events with this run's key, which only the gateway has (local/gateway.py). Without
# its CORS headers (--disable-cors: it allows every origin by default), a web page in the
# developer's browser can neither read the emulator's answers nor send it JSON.
invoke_key=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
LOCAL_INVOKE_KEY=$invoke_key DYNAMODB_ENDPOINT="http://127.0.0.1:$DYNAMODB_LINK_PORT" PATH="$VENV/bin:$PATH" setsid cargo lambda watch --ignore-changes --quiet --disable-cors "${profile[@]}" \
  -A 127.0.0.1 -P "$LAMBDA_PORT" --concurrency "$GATEWAY_CONCURRENCY" \
  >"$STATE_DIR/logs/functions.log" 2>&1 </dev/null &
echo $! >"$STATE_DIR/pids/functions"
echo "up: starting the API gateway on $API_URL (internal routes on $INTERNAL_URL)"
LOCAL_INVOKE_KEY=$invoke_key setsid "$VENV/bin/python" "$LOCAL_DIR/gateway.py" --host "$API_HOST" --public "$API_PORT" --internal "$INTERNAL_PORT" \
  --lambda-url "http://127.0.0.1:$LAMBDA_PORT" --cargo-toml "$ROOT_DIR/Cargo.toml" \
  >"$STATE_DIR/logs/gateway.log" 2>&1 </dev/null &
echo $! >"$STATE_DIR/pids/gateway"
wait_for "$API_URL/health/status" "the API gateway" 120
# The first call starts a function instance; wait until one answers for real.
deadline=$((SECONDS + 120))
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$API_URL/health/status")" = "200" ]; do
  [ $SECONDS -lt $deadline ] || { echo "up: /health/status never answered 200" >&2; exit 1; }
  sleep 0.5
done

echo "up: following the tables' streams (Lambda's event source mappings stand-in)"
rm -f "$STATE_DIR/logs/events-dead-letters.jsonl"
setsid "$VENV/bin/python" "$LOCAL_DIR/streams.py" --endpoint "$DYNAMODB_ENDPOINT" \
  --lambda-url "http://127.0.0.1:$LAMBDA_PORT" --template "$ROOT_DIR/template.yaml" \
  --dead-letters "$STATE_DIR/logs/events-dead-letters.jsonl" >"$STATE_DIR/logs/streams.log" 2>&1 </dev/null &
echo $! >"$STATE_DIR/pids/streams"

if $seed; then
  # Demo data that cannot be written is said, and the platform stays up (the seed adds
  # what is missing when it runs again, with the next local/up.sh).
  "$VENV/bin/python" "$LOCAL_DIR/seed.py" ||
    echo "up: WARNING: the demo data is incomplete (above); the platform is running" >&2
  # A first recommendation model from the demo purchases (in AWS the schedule does this).
  "$CARGO_TARGET_DIR/$BUILD_PROFILE/refresh_recommendations" >/dev/null
fi

cat <<INFO

The platform is running at $API_URL  (DynamoDB Local at $DYNAMODB_ENDPOINT)
  the shop:        $API_URL/
  admin console:   $API_URL/admin
  API reference:   $API_URL/docs
  admin login:     $DEMO_ADMIN_EMAIL / $DEMO_ADMIN_PASSWORD
  customer logins: alice@shop.local, bob@shop.local, carol@shop.local / password: demo-password
  try:             curl -s $API_URL/products
Domain events: $STATE_DIR/logs/events.jsonl
Traces: local/xray.py list; local/xray.py show TRACE_ID (each response's x-trace-id)
Logs: $STATE_DIR/logs    Stop: local/down.sh$($background || echo " or Ctrl-C")
INFO

if ! $background; then
  wait
fi
