#!/usr/bin/env bash
# Installs the benchmark, load and fuzz tools into their own venv ($BENCH_VENV), if missing.
set -euo pipefail
source "$(dirname "$0")/env.sh"

if [ ! -x "$BENCH_VENV/bin/python" ]; then
  python3 -m venv "$BENCH_VENV"
fi
# find_spec, not import: locust patches the standard library when imported.
if ! "$BENCH_VENV/bin/python" -c "
import importlib.util, sys
sys.exit(any(importlib.util.find_spec(m) is None for m in ('awslambdaric', 'boto3', 'locust', 'schemathesis')))
" 2>/dev/null; then
  echo "bench-setup: installing awslambdaric, boto3, locust and schemathesis into $BENCH_VENV"
  "$BENCH_VENV/bin/pip" install --quiet --disable-pip-version-check -r "$LOCAL_DIR/bench/requirements.txt"
fi
