#!/usr/bin/env bash
# Runs DynamoDB Local in the foreground (the one place that knows its command line):
#   local/dynamodb-local.sh PORT -inMemory | -dbPath DIR
# -sharedDb: one database whatever region or access key a client signs with. The process
# becomes the JVM (exec), so its pid is the engine's (the fault tests SIGSTOP it).
set -euo pipefail
source "$(dirname "$0")/env.sh"
port="$1"
shift
# shellcheck disable=SC2086 # DYNAMODB_JAVA_OPTS is a list of JVM options
exec java $DYNAMODB_JAVA_OPTS -Djava.library.path="$(dirname "$DYNAMODB_LOCAL_JAR")/DynamoDBLocal_lib" \
  -jar "$DYNAMODB_LOCAL_JAR" -port "$port" -sharedDb -disableTelemetry "$@"
