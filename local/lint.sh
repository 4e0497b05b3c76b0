#!/usr/bin/env bash
# Validates template.yaml with the SAM CLI (`sam validate --lint`: the SAM transform and cfn-lint).
set -euo pipefail
source "$(dirname "$0")/env.sh"
bash "$LOCAL_DIR/setup.sh" sam
cd "$ROOT_DIR"
SAM_CLI_TELEMETRY=0 "$SAM_VENV/bin/sam" validate --lint --region "$AWS_REGION"
