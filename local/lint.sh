#!/usr/bin/env bash
# Validates template.yaml with the SAM CLI (`sam validate --lint`: the SAM transform and cfn-lint),
# then lints the CloudFormation template the SAM transform makes of it (local/sam_transform.py);
# compiles every Python script of the repository (scripts no test runs, such as the
# recommendation evaluation, would otherwise break unseen); type-checks and builds the web
# pages and holds them to their weight budget; checks the Postman collection is openapi.yaml's.
set -euo pipefail
source "$(dirname "$0")/env.sh"
bash "$LOCAL_DIR/setup.sh" sam web
cd "$ROOT_DIR"
SAM_CLI_TELEMETRY=0 "$SAM_VENV/bin/sam" validate --lint --region "$AWS_REGION"
# The template CloudFormation gets, linted too (circular dependencies show only there).
mkdir -p "$STATE_DIR"
AWS_DEFAULT_REGION="$AWS_REGION" "$SAM_VENV/bin/python" "$LOCAL_DIR/sam_transform.py" template.yaml "$STATE_DIR/expanded-template.json"
"$SAM_VENV/bin/cfn-lint" "$STATE_DIR/expanded-template.json"
echo "lint: the expanded template passes cfn-lint"
git ls-files '*.py' | xargs python3 -c '
import sys
for path in sys.argv[1:]:
    compile(open(path, encoding="utf-8").read(), path, "exec")
'
echo "lint: every Python script compiles"
(cd web && npm run --silent build && npm run --silent check-budget)
(cd tests/web && node postman.mjs check)
