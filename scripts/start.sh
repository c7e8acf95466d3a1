#!/usr/bin/env bash
# `npm start`: set everything up, then run web + worker and say where to log in.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
first_env=
[ -f .env ] || first_env=1
bash scripts/setup.sh
load_env .env
PORT=${PORT:-3000}

bash scripts/run.sh &
runner=$!
trap 'kill -TERM $runner 2>/dev/null; wait $runner' INT TERM

for _ in $(seq 1 120); do
  if curl -fsS --max-time 2 "http://localhost:$PORT/api/health" >/dev/null 2>&1; then
    log "web:    http://localhost:$PORT"
    if [ -n "$first_env" ]; then
      log "admin:  $ADMIN_EMAIL / $ADMIN_PASSWORD  (generated into .env; change it after logging in)"
    else
      log "admin:  $ADMIN_EMAIL  (password: ADMIN_PASSWORD in .env unless you changed it)"
    fi
    break
  fi
  kill -0 "$runner" 2>/dev/null || break
  sleep 1
done
wait "$runner"
