#!/usr/bin/env bash
# Runs every test from a fresh machine: installs the local tools, lints the SAM
# template, builds once, starts a private local stack on test ports (seeded), runs the
# unit, property, integration and end-to-end tests, fuzzes every route, runs a short load
# with its invariant check, then the fault-injection tests alone, and stops the stack.
set -euo pipefail
cd "$(dirname "$0")/.."
# A stack of its own, beside any running developer stack.
export API_PORT="${TEST_API_PORT:-9100}"
export DYNAMODB_PORT="${TEST_DYNAMODB_PORT:-8100}"
export STATE_DIR="$PWD/.local/test"
# The test stack keeps nothing: every run starts from empty tables.
export DYNAMODB_IN_MEMORY=true
export RUST_LOG="${RUST_LOG:-warn}"
# Short saga deadlines, so the fault tests need not wait a minute for the reconciler.
export SALE_DEADLINE_SECONDS="${SALE_DEADLINE_SECONDS:-4}"
source local/env.sh

started=$SECONDS
step() { echo "== $* ($((SECONDS - started)) s)"; }

step "setup"
bash local/setup.sh
bash local/lint.sh

step "supply chain: licenses, duplicate bans and sources (cargo deny)"
command -v cargo-deny >/dev/null || cargo install --locked --quiet cargo-deny
cargo deny --log-level error check licenses bans sources

step "build"
cargo build --workspace --all-targets --quiet

command -v cargo-nextest >/dev/null || cargo install --locked cargo-nextest

step "start the local stack on $API_URL"
bash local/down.sh >/dev/null 2>&1 || true
trap 'bash local/down.sh >/dev/null 2>&1' EXIT
bash local/up.sh --background >/dev/null

step "tests"
cargo nextest run --workspace --no-fail-fast -E 'not binary(faults)'

step "fuzzing every route of openapi.yaml (schemathesis)"
bash local/bench-setup.sh
bash local/fuzz.sh

step "a short load run and its invariants (locust)"
bash local/load.sh 10 30 | grep -E "load invariants|Aggregated"

step "fault-injection tests (alone: they freeze the database and cut service links)"
cargo nextest run --workspace --no-fail-fast --test-threads 1 -E 'binary(faults)'

step "a function process killed mid-saga (real binary under a local Lambda Runtime API)"
"$VENV/bin/python" tests/runtime/kill_mid_saga.py

step "done"
