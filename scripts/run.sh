#!/usr/bin/env bash
# Runs the web server and the worker together in the foreground; stops both when either exits
# or when this script gets SIGINT/SIGTERM. Expects the environment prepared by setup.sh.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
load_env .env

PORT=${PORT:-3000}
# A copy of the services' logs (npm test greps them for secrets after the e2e run).
if [ -n "${RUN_LOG_FILE:-}" ]; then
  mkdir -p "$(dirname "$RUN_LOG_FILE")"
  exec > >(tee -a "$RUN_LOG_FILE")
fi
pids=()
stop_all() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  wait
}
trap 'stop_all; exit 0' INT TERM
trap stop_all EXIT

# The web server (Next's custom-server API) takes the client address from the socket, and from
# X-Forwarded-For only through TRUSTED_PROXIES (server/http/web-server.ts).
PORT=$PORT SERVICE_NAME=web node_modules/.bin/tsx server/http/web-server.ts &
pids+=($!)
SERVICE_NAME=worker node_modules/.bin/tsx worker/index.ts &
pids+=($!)

# Whichever stops first takes the other down with it.
wait -n
code=$?
echo "[run] a process exited with code $code; stopping the others" >&2
exit "$code"
