#!/usr/bin/env bash
# `npm test`: the same setup as `npm start` (with the test database and the Odoo test image),
# then every suite. Each suite runs even when an earlier one failed; the summary decides.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
export CI=${CI:-1}

bash scripts/setup.sh --test || die "setup failed"
load_env .env
use_test_env
# The test Redis database starts empty, like the test PostgreSQL database: no queued jobs or
# login counters from an earlier run.
node -e '
  const { Redis } = require("ioredis");
  const redis = new Redis(process.env.REDIS_URL);
  redis.flushdb().then(() => redis.quit(), (error) => { console.error(error.message); process.exit(1); });' ||
  die "could not empty the test Redis database"

results=()
failed=0
suite() {
  local name=$1; shift
  log "── $name"
  local started=$SECONDS
  if "$@"; then
    results+=("PASS  $name ($((SECONDS - started)) s)")
  else
    results+=("FAIL  $name ($((SECONDS - started)) s)")
    failed=1
  fi
}

suite "typecheck" npx tsc --noEmit
suite "lint" npx eslint --max-warnings 0 .
suite "migrations in sync" npm run --silent db:check
rm -rf .test-reports && mkdir -p .test-reports
vitest_reports() { echo --reporter=default --reporter=json "--outputFile.json=.test-reports/$1.json"; }
suite "unit tests" npx vitest run --project unit $(vitest_reports unit)
suite "integration tests" npx vitest run --project integration $(vitest_reports integration)
export PLAYWRIGHT_JSON_OUTPUT_NAME=.test-reports/e2e.json
suite "e2e tests (Playwright, Chromium)" npx playwright test --reporter=list,json
# The passwords the e2e customers typed, and Odoo password hashes, never reach a log line.
no_secrets_in_logs() {
  local file=.test-reports/e2e-server.log
  local lines
  lines=$(wc -l <"$file" 2>/dev/null || echo 0)
  if [ "$lines" -lt 20 ]; then
    printf 'the e2e run left %s log lines in %s: nothing to check\n' "$lines" "$file"
    return 1
  fi
  local found=0 secret
  # ODOO_ADMIN_PASSWORD of e2e/fixtures/instances.ts, the customers' PASSWORD of the specs.
  for secret in 'E2e-Odoo-Admin-73!' 'E2e-Password-42!' '$pbkdf2-sha512$'; do
    if grep -qF -- "$secret" "$file"; then
      printf 'a secret (%s...) appears in the e2e logs\n' "${secret:0:6}"
      found=1
    fi
  done
  echo "searched $lines log lines of the e2e run for secrets"
  return $found
}
suite "no secrets in the e2e logs" no_secrets_in_logs
# Every benchmark once at a small size through its real path, so one that breaks fails here;
# their targets are judged only by the full-size runs (by hand: npm run bench:<name>).
bench_smoke() {
  local status=0 name
  for name in provision backup api webhook; do
    log "   bench:$name (smoke size)"
    if ! BENCH_SIZE=smoke LOG_LEVEL=warn npm run --silent "bench:$name"; then
      printf 'bench:%s (smoke size) broke\n' "$name"
      status=1
    fi
  done
  return $status
}
suite "benchmarks (smoke)" bench_smoke

log "── summary"
printf '  %s\n' "${results[@]}"
if [ "$failed" -ne 0 ]; then
  log "── failed tests"
  node scripts/print-failures.mjs
fi
exit $failed
