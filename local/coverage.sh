#!/usr/bin/env bash
# Line coverage of shared/ and functions/ over the whole suite (unit, property, end-to-end,
# fuzzing and fault tests), with cargo-llvm-cov. The functions run as separate processes
# behind the local gateway and are killed, not exited, when the stack stops, so their
# counters are kept in continuous mode (written as they change). Needs LLVM 22 tools
# (Debian: llvm-22) for this toolchain's profile format; installs cargo-llvm-cov.
#   local/coverage.sh        -> summary on stdout, HTML in target/llvm-cov/html
set -euo pipefail
cd "$(dirname "$0")/.."
export API_PORT="${COVERAGE_API_PORT:-9200}"
export DYNAMODB_PORT="${COVERAGE_DYNAMODB_PORT:-8200}"
export STATE_DIR="$PWD/.local/coverage"
export SALE_DEADLINE_SECONDS=4 RUST_LOG=warn
source local/env.sh

command -v llvm-cov-22 >/dev/null || { apt-get update -qq && apt-get install -y -qq llvm-22; }
command -v cargo-llvm-cov >/dev/null || cargo install --locked cargo-llvm-cov
export LLVM_COV=llvm-cov-22 LLVM_PROFDATA=llvm-profdata-22
bash local/setup.sh
bash local/bench-setup.sh

# Instrumented builds go to a target directory of their own.
export CARGO_TARGET_DIR="$PWD/target/coverage"
eval "$(cargo llvm-cov show-env --sh)"
# The wrapper's flags are separated by 0x1f; continuous mode needs counter relocation.
export __CARGO_LLVM_COV_RUSTC_WRAPPER_RUSTFLAGS="${__CARGO_LLVM_COV_RUSTC_WRAPPER_RUSTFLAGS}"$'\x1f'"-Cllvm-args=-runtime-counter-relocation"
export LLVM_PROFILE_FILE="${LLVM_PROFILE_FILE//%2m/%2m%c}"
cargo llvm-cov clean --workspace
cargo build --workspace --all-targets --quiet

bash local/down.sh >/dev/null 2>&1 || true
trap 'bash local/down.sh >/dev/null 2>&1' EXIT
bash local/up.sh --background >/dev/null
cargo nextest run --workspace --no-fail-fast -E 'not binary(faults)' || true
bash local/fuzz.sh >/dev/null || true
cargo nextest run --workspace --no-fail-fast --test-threads 1 -E 'binary(faults)' || true
"$VENV/bin/python" tests/runtime/kill_mid_saga.py || true
bash local/down.sh >/dev/null 2>&1

ignore='(^|/)(tests|local)/|functions/reviews/reco/src/bin/'
cargo llvm-cov report --summary-only --ignore-filename-regex "$ignore"
cargo llvm-cov report --html --ignore-filename-regex "$ignore" >/dev/null
