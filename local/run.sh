#!/usr/bin/env bash
# Runs one of the platform's commands once against the local stack, with its environment:
#   local/run.sh reconcile_sales           the reconciler (in AWS, every minute): rolls back
#                                          sales left pending past their deadline; prints a report
#   local/run.sh refresh_recommendations   refits the recommendation model (in AWS, hourly)
#   ADMIN_EMAIL=ops@example.com ADMIN_PASSWORD='...' local/run.sh create_admin
#                                          the operator command that creates an admin account
# Against AWS: set the table variables to the deployed tables, unset DYNAMODB_ENDPOINT and
# use your usual AWS credentials (see docs/operations.md, "Deploy").
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT_DIR"
command="${1:?usage: local/run.sh COMMAND [ARGS...]}"
shift
package=$(cargo metadata --no-deps --format-version 1 | "$VENV/bin/python" -c '
import json, sys
command = sys.argv[1]
for package in json.load(sys.stdin)["packages"]:
    if any(t["name"] == command and "bin" in t["kind"] for t in package["targets"]):
        print(package["name"])
' "$command")
[ -n "$package" ] || { echo "run: no command $command" >&2; exit 2; }
cargo run --quiet -p "$package" --bin "$command" -- "$@"
