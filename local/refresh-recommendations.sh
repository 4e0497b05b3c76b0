#!/usr/bin/env bash
# Refits the recommendation model once against the local stack (in AWS it runs hourly)
# and prints its report.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT_DIR"
cargo run --quiet -p reviews --bin refresh_recommendations
