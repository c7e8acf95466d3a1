# Shared helpers for scripts/setup.sh, start.sh and test.sh. Sourced, never run.

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[setup] %s\033[0m\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Export every KEY=VALUE of a dotenv file that the environment does not already set.
load_env() {
  local file=${1:-.env} line key value
  [ -f "$file" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    [[ $line =~ ^([A-Z][A-Z0-9_]*)=(.*)$ ]] || continue
    key=${BASH_REMATCH[1]}
    value=${BASH_REMATCH[2]}
    [ -n "${!key+x}" ] && continue
    export "$key=$value"
  done <"$file"
}

# The test suites run against their own database, web port and the Odoo test image, so that
# `npm test` never touches the data of a running `npm start`.
use_test_env() {
  if [ -z "${TEST_DATABASE_URL:-}" ]; then
    TEST_DATABASE_URL=$(node -e 'const u=new URL(process.argv[1]); u.pathname=u.pathname+"_test"; console.log(u.href)' "$DATABASE_URL")
  fi
  export DATABASE_URL=$TEST_DATABASE_URL
  # Its own Redis database too: queues, heartbeats and login counters stay apart from npm start's.
  if [ -z "${TEST_REDIS_URL:-}" ]; then
    TEST_REDIS_URL=$(node -e 'const u=new URL(process.argv[1]); u.pathname="/1"; console.log(u.href)' "$REDIS_URL")
  fi
  export REDIS_URL=$TEST_REDIS_URL
  export ODOO_IMAGE=localhost/odoo-standin
  # A small spare-database pool: e2e provisioning takes spares and also runs dry, so both the
  # rename and the CREATE DATABASE path are exercised, without ten creations at worker boot.
  export POOL_SPARE_DATABASES=${TEST_POOL_SPARE_DATABASES:-3}
  export PORT=${TEST_PORT:-3100}
  export APP_URL=http://localhost:$PORT
  export AUTH_URL=$APP_URL
  # Billing in tests: the builtin provider, Paynow replaced by its protocol stand-in
  # (testing/paynow-standin, started by the tests and by Playwright on this port), and a Kill Bill
  # webhook secret for the Kill Bill stand-in's pushes. Test values only, never production ones.
  export BILLING_PROVIDER=builtin
  export PAYNOW_STANDIN_PORT=${TEST_PAYNOW_PORT:-3190}
  export PAYNOW_URL=http://127.0.0.1:$PAYNOW_STANDIN_PORT
  export PAYNOW_INTEGRATION_ID=1201
  export PAYNOW_INTEGRATION_KEY=3e9fed89-60e1-4ce5-ab6e-6b1eb2d4f977
  export PAYNOW_AUTH_EMAIL=merchant@test.example
  export KILLBILL_WEBHOOK_SECRET=test-webhook-secret-0123456789abcdef
}

# url_part <url> <protocol|hostname|port|username|password|database>
url_part() {
  node -e '
    const u = new URL(process.argv[1]);
    const part = process.argv[2];
    const v = part === "database" ? u.pathname.slice(1) : u[part];
    console.log(decodeURIComponent(v));' "$1" "$2"
}

tcp_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

is_local_host() { case "$1" in 127.0.0.1 | localhost | ::1 | "[::1]") return 0 ;; *) return 1 ;; esac; }

docker_socket_path() { local h=${1#unix://}; echo "$h"; }

docker_ping() {
  local sock
  sock=$(docker_socket_path "$1")
  [ -S "$sock" ] && curl -fsS --max-time 3 --unix-socket "$sock" http://d/_ping >/dev/null 2>&1
}

file_hash() { cat "$@" 2>/dev/null | sha256sum | cut -d' ' -f1; }
