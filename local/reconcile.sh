#!/usr/bin/env bash
# Runs the sales reconciler once against the local stack (in AWS it runs every minute):
# rolls back every sale left pending past its deadline, and prints a report.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT_DIR"
cargo run --quiet -p sales --bin reconcile_sales
