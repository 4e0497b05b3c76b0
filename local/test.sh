#!/usr/bin/env bash
# Runs every test from a fresh machine: installs the local tools, lints the SAM
# template, builds once, starts a private local stack on test ports (seeded), runs the
# unit, property, integration and end-to-end tests, fuzzes every route, runs a short load
# with its invariant check, then the fault-injection tests alone, and stops the stack.
#   local/test.sh              the README's test command (and CI's)
#   local/test.sh --coverage   the same, instrumented by cargo-llvm-cov: line coverage of
#                              shared/ and functions/ (summary on stdout, HTML in
#                              target/coverage/llvm-cov/html); a failing step does not stop it.
#                              Needs LLVM 22's tools (Debian llvm-22), installed if missing.
#   local/test.sh --e2e        only what needs the stack's functions: the build, the stack,
#                              the unit, integration, end-to-end and fault tests (no lint,
#                              supply chain, fuzzing, load, Postman or browser runs).
set -euo pipefail
cd "$(dirname "$0")/.."
coverage=false
full=true
case "${1:-}" in
  --coverage) coverage=true ;;
  --e2e) full=false ;;
  "") ;;
  *) echo "usage: local/test.sh [--coverage | --e2e]" >&2; exit 2 ;;
esac
# A stack of its own, beside any running developer stack.
export API_PORT="${TEST_API_PORT:-9100}"
export DYNAMODB_PORT="${TEST_DYNAMODB_PORT:-8100}"
export STATE_DIR="$PWD/.local/test"
# The test stack keeps nothing: every run starts from empty tables.
export DYNAMODB_IN_MEMORY=true
# Warnings and errors (the request and metric lines, which the tests read, are always
# written).
export RUST_LOG="${RUST_LOG:-warn}"
# A clean build (CI's) gains nothing from incremental state, which would take gigabytes.
[ "${CI:-}" = true ] && export CARGO_INCREMENTAL=0
# Short saga deadlines, so the fault tests need not wait a minute for the reconciler.
export SALE_DEADLINE_SECONDS="${SALE_DEADLINE_SECONDS:-4}"
# AWS's service-call timeout, not the developer stack's longer one: the fault tests wait it
# out on every hanging link (the seed and the tests retry a 503 of a function's first start).
export SERVICE_CALL_TIMEOUT_MS="${SERVICE_CALL_TIMEOUT_MS:-5000}"
source local/env.sh

started=$SECONDS
step() { echo "== $* ($((SECONDS - started)) s)"; }
# A failing check fails the run, except under --coverage, which reports on what ran.
check() { if $coverage; then "$@" || echo "test: failed, coverage goes on: $*"; else "$@"; fi; }

if $coverage; then
  step "instrumenting (cargo llvm-cov)"
  command -v llvm-cov-22 >/dev/null || { apt-get update -qq && apt-get install -y -qq llvm-22; }
  command -v cargo-llvm-cov >/dev/null || cargo install --locked cargo-llvm-cov
  export LLVM_COV=llvm-cov-22 LLVM_PROFDATA=llvm-profdata-22
  # Instrumented builds go to a target directory of their own.
  export CARGO_TARGET_DIR="$PWD/target/coverage"
  eval "$(cargo llvm-cov show-env --sh)"
  # The functions are killed, not exited, when the stack stops: their counters are kept
  # in continuous mode (written as they change), which needs counter relocation.
  export __CARGO_LLVM_COV_RUSTC_WRAPPER_RUSTFLAGS="${__CARGO_LLVM_COV_RUSTC_WRAPPER_RUSTFLAGS}"$'\x1f'"-Cllvm-args=-runtime-counter-relocation"
  export LLVM_PROFILE_FILE="${LLVM_PROFILE_FILE//%2m/%2m%c}"
  cargo llvm-cov clean --workspace
fi

step "setup"
# The pages' packages first: the build embeds the pages, and its build script must not run
# `npm ci` in web/ beside setup's.
bash local/setup.sh web
# The build (CPU) goes on in the background while the other tools install (mostly
# downloads); its output is shown when it is waited for.
build_log="$STATE_DIR/build.log"
cargo build --workspace --all-targets --features e2e/stack --quiet >"$build_log" 2>&1 &
build=$!
trap 'kill "$build" 2>/dev/null' EXIT
if $full; then
  bash local/setup.sh bench
  bash local/lint.sh

  step "supply chain: advisories, licenses, duplicate bans and sources (cargo deny)"
  # A debug build: cargo-deny's release profile (fat LTO, one codegen unit) takes minutes
  # longer to compile than its checks take to run here.
  deny_version=0.20.2
  cargo deny --version 2>/dev/null | grep -qx "cargo-deny $deny_version" ||
    CARGO_PROFILE_DEV_DEBUG=0 cargo install --locked --quiet --debug "cargo-deny@$deny_version"
  # Advisories offline, from the RustSec snapshot beside the project (deny.toml's db-path);
  # a newer bundle replaces the copy.
  bundle=../shared/advisory-db/advisory-db.bundle
  advisory_db=.local/advisory-db/advisory-db-3157b0e258782691
  if [ -f "$bundle" ] && { [ ! -d "$advisory_db" ] || [ "$bundle" -nt "$advisory_db" ]; }; then
    rm -rf "$advisory_db" && git -c init.defaultBranch=main clone -q "$bundle" "$advisory_db"
fi
checks=(licenses bans sources)
if [ -d "$advisory_db" ]; then
  checks=(advisories "${checks[@]}")
  echo "advisories as of $(git -C "$advisory_db" log -1 --format=%cs) (RustSec snapshot)"
else
  echo "test: ADVISORIES NOT CHECKED: no RustSec snapshot at $bundle" >&2
fi
# cargo deny reads the metadata of every platform's dependencies: fetch them all first (its
# --offline stops it from reaching the network for the advisory database, not for crates).
cargo fetch --locked --quiet
cargo deny --offline --log-level error check "${checks[@]}"
fi
command -v cargo-nextest >/dev/null || cargo install --locked cargo-nextest

step "build"
wait "$build" || { cat "$build_log"; echo "test: the build failed" >&2; exit 1; }
cat "$build_log"

step "start the local stack on $API_URL"
bash local/down.sh >/dev/null 2>&1 || true
trap 'bash local/down.sh >/dev/null 2>&1' EXIT
bash local/up.sh --background >/dev/null

step "tests"
check cargo nextest run --workspace --features e2e/stack --no-fail-fast -E 'not binary(faults)'

if $full; then
  step "fuzzing every route of openapi.yaml (schemathesis)"
  check bash local/fuzz.sh

  step "a short load run and its invariants (locust)"
  check bash -o pipefail -c 'bash local/load.sh 10 30 | grep -E "load invariants|Aggregated"'

  step "the Postman collection, every request against the stack (newman)"
  check bash -c 'cd tests/web && node postman.mjs run'

  step "the pages in a real browser (Debian's Chromium, playwright-core, axe-core)"
  check bash -c 'cd tests/web && npm run --silent browser'
fi

step "fault-injection tests (alone: they freeze the database and cut service links)"
check cargo nextest run --workspace --features e2e/stack --no-fail-fast --test-threads 1 -E 'binary(faults)'

step "a function process killed mid-saga (real binary under a local Lambda Runtime API)"
check "$VENV/bin/python" tests/runtime/kill_mid_saga.py

if $coverage; then
  bash local/down.sh >/dev/null 2>&1
  step "coverage"
  ignore='(^|/)(tests|local)/|functions/reviews/reco/src/bin/'
  cargo llvm-cov report --summary-only --ignore-filename-regex "$ignore"
  cargo llvm-cov report --html --ignore-filename-regex "$ignore" >/dev/null
fi
step "done"
