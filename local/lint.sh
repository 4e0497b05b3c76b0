#!/usr/bin/env bash
# Validates template.yaml with the SAM CLI (installed into its own venv if missing).
set -euo pipefail
source "$(dirname "$0")/env.sh"
SAM_VENV="${SAM_VENV:-$ROOT_DIR/.local/sam-venv}"
if [ ! -x "$SAM_VENV/bin/sam" ]; then
  echo "lint: installing the SAM CLI into $SAM_VENV"
  python3 -m venv "$SAM_VENV"
  "$SAM_VENV/bin/pip" install --quiet --disable-pip-version-check "aws-sam-cli==${SAM_CLI_VERSION:-1.170.0}"
fi
cd "$ROOT_DIR"
SAM_CLI_TELEMETRY=0 "$SAM_VENV/bin/sam" validate --lint --region "${AWS_REGION:-us-east-1}"
