#!/usr/bin/env bash
# Builds every function binary once ($BUILD_PROFILE), exactly as the local gateway runs
# them: `cargo lambda watch` starts a function with `cargo run --bin NAME` at the
# workspace root, which resolves features over every workspace member. Building with
# `--workspace` resolves them the same way, so the gateway finds the binaries fresh
# (building only the function packages would give other feature sets, and every
# dependency would be compiled, and stored, twice).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT_DIR"
profile=()
[ "$BUILD_PROFILE" = release ] && profile=(--release)
cargo build --quiet "${profile[@]}" --workspace --bins
