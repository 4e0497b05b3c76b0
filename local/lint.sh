#!/usr/bin/env bash
# Validates template.yaml with the SAM CLI (`sam validate --lint`: the SAM transform and cfn-lint),
# and compiles every Python script of the repository (scripts no test runs, such as the
# recommendation evaluation, would otherwise break unseen).
set -euo pipefail
source "$(dirname "$0")/env.sh"
bash "$LOCAL_DIR/setup.sh" sam
cd "$ROOT_DIR"
SAM_CLI_TELEMETRY=0 "$SAM_VENV/bin/sam" validate --lint --region "$AWS_REGION"
git ls-files '*.py' | xargs python3 -c '
import sys
for path in sys.argv[1:]:
    compile(open(path, encoding="utf-8").read(), path, "exec")
'
echo "lint: every Python script compiles"
