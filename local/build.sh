#!/usr/bin/env bash
# Builds every function binary once (debug), the way the local gateway runs them.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT_DIR"
packages=()
for dir in functions/*/; do packages+=(-p "$(basename "$dir")"); done
cargo build --quiet "${packages[@]}" --bins
