#!/usr/bin/env bash
# Builds every function for AWS Lambda (arm64, provided.al2023) with cargo-lambda and zig:
# target/lambda/<function>/bootstrap.zip, plus target/lambda/template.yaml, the SAM
# template pointing at exactly these zips. Deploy them with
#   sam deploy --template-file target/lambda/template.yaml --guided
# (or run them with `sam local start-api -t target/lambda/template.yaml` where Docker is).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT_DIR"
bash "$LOCAL_DIR/setup.sh" sam
rustup target list --installed | grep -qx aarch64-unknown-linux-gnu || rustup target add aarch64-unknown-linux-gnu

packages=()
for dir in functions/*/; do packages+=(-p "$(basename "$dir")"); done
started=$SECONDS
PATH="$VENV/bin:$PATH" cargo lambda build --release --arm64 --output-format zip "${packages[@]}"
echo "package: built in $((SECONDS - started)) s"
cargo run --quiet -p codegen -- --package target/lambda

SAM_CLI_TELEMETRY=0 "$SAM_VENV/bin/sam" validate --lint -t target/lambda/template.yaml --region "$AWS_REGION"
"$VENV/bin/python" - <<'PY'
import pathlib, zipfile
print(f"{'function':28} {'zip (bytes)':>12} {'binary (bytes)':>15}")
for z in sorted(pathlib.Path("target/lambda").glob("*/bootstrap.zip")):
    binary = zipfile.ZipFile(z).getinfo("bootstrap").file_size
    print(f"{z.parent.name:28} {z.stat().st_size:>12} {binary:>15}")
PY
