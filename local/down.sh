#!/usr/bin/env bash
# Stops the local stack started by local/up.sh (gateway, function processes, engine).
set -uo pipefail
source "$(dirname "$0")/env.sh"

for name in streams gateway functions eventbus link-inventory link-customers link-reviews link-dynamodb xray dynamodb; do
  pidfile="$STATE_DIR/pids/$name"
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  # Each was started in its own session: stop the whole group (functions included).
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$pidfile"
  echo "down: stopped $name"
done
