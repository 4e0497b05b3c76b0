#!/usr/bin/env bash
# Installs what the local stack needs, if missing: a project-local Python venv with the
# DynamoDB engine (moto) and the local API gateway (cargo-lambda). Safe to run again.
set -euo pipefail
source "$(dirname "$0")/env.sh"

mkdir -p "$STATE_DIR"
if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV"
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import moto, flask, yaml, boto3" 2>/dev/null || [ ! -x "$VENV/bin/cargo-lambda" ]; then
  echo "setup: installing moto and cargo-lambda into the venv"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$LOCAL_DIR/requirements.txt"
fi
