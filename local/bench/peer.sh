#!/usr/bin/env bash
# Builds the peer the cold-start table compares against: aws-samples/serverless-rust-demo's
# get-product (lambda_http 0.5, aws-sdk-dynamodb 0.7), the fastest-starting Rust Lambda of
# its kind we know. Not part of this project: it is cloned from SOURCE (its GitHub URL, or a
# local clone) at a fixed commit into $STATE_DIR/peer and built there. Its SDK has no
# endpoint override, so the copy gets one (DYNAMODB_ENDPOINT, where it builds its client)
# and an empty [workspace] (it sits inside this repository's tree); nothing else changes.
#   local/bench/peer.sh [SOURCE]      # prints the binary's path
#   local/bench-functions.sh --peer "$(local/bench/peer.sh)"
set -euo pipefail
source "$(dirname "$0")/../env.sh"
source_repo="${1:-https://github.com/aws-samples/serverless-rust-demo}"
commit=b63a56b
peer="$STATE_DIR/peer"
if [[ ! -d "$peer/.git" ]]; then
  git clone --quiet "$source_repo" "$peer" >&2
fi
# The commit as published, then the two additions below.
git -C "$peer" checkout --quiet --force "$commit"
python3 - "$peer" <<'PY'
import sys
from pathlib import Path
peer = Path(sys.argv[1])
utils, manifest = peer / "src" / "utils.rs", peer / "Cargo.toml"
text = utils.read_text()
old = "    let client = aws_sdk_dynamodb::Client::new(&config);\n"
new = """    // Added for the local benchmark: the local engine's endpoint.
    let client = match std::env::var("DYNAMODB_ENDPOINT") {
        Ok(endpoint) => aws_sdk_dynamodb::Client::from_conf(
            aws_sdk_dynamodb::config::Builder::from(&config)
                .endpoint_resolver(aws_sdk_dynamodb::Endpoint::immutable(endpoint.parse().unwrap()))
                .build(),
        ),
        Err(_) => aws_sdk_dynamodb::Client::new(&config),
    };
"""
if "DYNAMODB_ENDPOINT" not in text:
    if old not in text:
        sys.exit(f"peer.sh: {utils} no longer builds its client as expected; adapt the override")
    utils.write_text(text.replace(old, new))
if "[workspace]" not in manifest.read_text():
    manifest.write_text(manifest.read_text() + "\n[workspace]\n")
PY
(cd "$peer" && CARGO_TARGET_DIR="$peer/target" cargo build --quiet --release --bin get-product >&2)
echo "$peer/target/release/get-product"
