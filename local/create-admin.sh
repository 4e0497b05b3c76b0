#!/usr/bin/env bash
# Operator command: creates an admin account (or promotes an existing one) directly in the
# Customers table. Admins are never created through the public API.
#   ADMIN_EMAIL=ops@example.com ADMIN_PASSWORD='...' local/create-admin.sh
# Against AWS: set CUSTOMERS_TABLE to the deployed table, unset DYNAMODB_ENDPOINT, and use
# your usual AWS credentials (see README, "Deploy").
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT_DIR"
: "${ADMIN_EMAIL:?set ADMIN_EMAIL}" "${ADMIN_PASSWORD:?set ADMIN_PASSWORD}"
cargo run --quiet -p customers --bin create_admin
