#!/usr/bin/env bash
# Validates template.yaml with the SAM CLI (`sam validate --lint`: the SAM transform and cfn-lint),
# then lints the CloudFormation template the SAM transform makes of it (local/sam_transform.py);
# compiles every Python script of the repository (scripts no test runs, such as the
# recommendation evaluation, would otherwise break unseen); type-checks and builds the web
# pages and holds them to their weight budget; lints openapi.yaml with Spectral (its OpenAPI
# and OWASP API Security rules) and Redocly's recommended rules (lint/: the rules switched off
# say why there), failing on any error; checks the Postman collection is openapi.yaml's.
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
# No telemetry and no update check from Redocly.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
if ! spectral=$(lint/node_modules/.bin/spectral lint openapi.yaml --ruleset lint/.spectral.yaml --fail-severity error 2>&1); then
  grep -v ' warning ' <<<"$spectral" >&2
  echo "lint: openapi.yaml has Spectral errors" >&2
  exit 1
fi
warnings=$(grep -oE '[0-9]+ warnings?' <<<"$spectral" | tail -1 || true)
echo "lint: openapi.yaml passes Spectral with no error (${warnings:-0 warnings})"
if ! redocly=$(lint/node_modules/.bin/redocly lint openapi.yaml --config lint/redocly.yaml 2>&1); then
  echo "$redocly" >&2
  echo "lint: openapi.yaml has Redocly errors" >&2
  exit 1
fi
warnings=$(grep -oE '[0-9]+ warnings?' <<<"$redocly" | tail -1 || true)
echo "lint: openapi.yaml passes Redocly's recommended rules with no error (${warnings:-0 warnings})"
(cd tests/web && node postman.mjs check)
