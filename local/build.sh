#!/usr/bin/env bash
# Builds every function binary once ($BUILD_PROFILE), the way the local gateway runs them.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT_DIR"
packages=()
for dir in functions/*/; do packages+=(-p "$(basename "$dir")"); done
profile=()
[ "$BUILD_PROFILE" = release ] && profile=(--release)
cargo build --quiet "${profile[@]}" "${packages[@]}" --bins
