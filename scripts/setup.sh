#!/usr/bin/env bash
# Brings a Debian 12 machine (as root, only npm and apt reachable) to a state where the platform
# runs: system services, .env, npm dependencies, Prisma client, migrations, seed, Odoo image and
# the web build. Idempotent: a second run checks and changes nothing.
#   scripts/setup.sh          for `npm start`
#   scripts/setup.sh --test   for `npm test` (adds Chromium, uses the test database and image)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

MODE=start
[ "${1:-}" = "--test" ] && MODE=test
STATE_DIR=.setup
mkdir -p "$STATE_DIR"

APT_UPDATED=
apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]} (apt)"
  if [ -z "$APT_UPDATED" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

apt_install curl ca-certificates

# ---------------------------------------------------------------- .env
node scripts/write-env.mjs .env.example .env
USER_DATABASE_URL=${DATABASE_URL:-}
USER_REDIS_URL=${REDIS_URL:-}
USER_DOCKER_HOST=${DOCKER_HOST:-}
load_env .env
PLATFORM_DATABASE_URL=$DATABASE_URL
[ "$MODE" = test ] && use_test_env

# ---------------------------------------------------------------- PostgreSQL
PG_MAJOR=
pg_superuser() { as_root su postgres -s /bin/sh -c "psql -X -q -v ON_ERROR_STOP=1 $*"; }

start_local_postgres() {
  apt_install postgresql postgresql-contrib
  PG_MAJOR=$(ls /usr/lib/postgresql | sort -n | tail -1)
  local cluster_conf=/etc/postgresql/$PG_MAJOR/main
  [ -d "$cluster_conf" ] || as_root pg_createcluster "$PG_MAJOR" main >/dev/null
  local needs_restart=
  # Containers reach PostgreSQL through the bridge gateway (podman: 10.88.0.1, docker: 172.17.0.1).
  if ! grep -q "^listen_addresses = '\*'" "$cluster_conf/conf.d/odoo-saas.conf" 2>/dev/null; then
    echo "listen_addresses = '*'" | as_root tee "$cluster_conf/conf.d/odoo-saas.conf" >/dev/null
    needs_restart=1
  fi
  local hba=$cluster_conf/pg_hba.conf
  if ! grep -q "odoo-saas containers" "$hba"; then
    printf '%s\n' "# odoo-saas containers (podman and docker bridges)" \
      "host all all 10.88.0.0/16 scram-sha-256" \
      "host all all 172.16.0.0/12 scram-sha-256" | as_root tee -a "$hba" >/dev/null
    needs_restart=1
  fi
  if pg_lsclusters -h | awk -v v="$PG_MAJOR" '$1==v && $2=="main" {print $4}' | grep -q online; then
    [ -n "$needs_restart" ] && as_root pg_ctlcluster "$PG_MAJOR" main restart
  else
    log "starting PostgreSQL $PG_MAJOR"
    as_root pg_ctlcluster "$PG_MAJOR" main start
  fi
  local i
  for i in $(seq 1 30); do
    as_root su postgres -s /bin/sh -c "pg_isready -q" && return 0
    sleep 0.5
  done
  die "PostgreSQL did not become ready"
}

sql_literal() { printf "'%s'" "${1//\'/\'\'}"; }

ensure_role() { # name password attributes
  local name=$1 password=$2 attrs=$3
  pg_superuser <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = $(sql_literal "$name")) THEN
    CREATE ROLE "$name" LOGIN;
  END IF;
END \$\$;
ALTER ROLE "$name" WITH $attrs PASSWORD $(sql_literal "$password");
SQL
}

ensure_database() { # name owner
  if ! pg_superuser -tA -c "\"SELECT 1 FROM pg_database WHERE datname = '$1'\"" | grep -q 1; then
    log "creating database $1"
    pg_superuser -c "\"CREATE DATABASE \\\"$1\\\" OWNER \\\"$2\\\"\""
  fi
}

# Customer roles log in to this server too: a database must not be open to every role (PUBLIC).
# The platform's databases (this run's, and `npm start`'s during --test) and template1 lose
# PUBLIC's CONNECT and TEMP; their owner keeps both, and copying template1 (CREATE DATABASE)
# needs neither. Database postgres keeps CONNECT for PUBLIC: Odoo connects to it with the tenant
# role at start-up, the pool manager works from it and migrations create databases from it; it
# loses TEMP and CREATE on its schema public (already gone on clusters made by PostgreSQL 15+).
# server/db-pool/check-server-isolation.ts checks the same on every pool server.
close_databases() { # owner manager-or-empty database...
  local owner=$1 manager=$2 name sql=""
  shift 2
  for name in "$@"; do
    pg_superuser -tA -c "\"SELECT 1 FROM pg_database WHERE datname = '$name'\"" | grep -q 1 || continue
    sql+="REVOKE CONNECT, TEMPORARY ON DATABASE \"$name\" FROM PUBLIC;"$'\n'
    sql+="GRANT CONNECT ON DATABASE \"$name\" TO \"$owner\";"$'\n'
  done
  sql+="GRANT CONNECT ON DATABASE postgres TO \"$owner\";"$'\n'
  [ -n "$manager" ] && sql+="GRANT CONNECT ON DATABASE postgres TO \"$manager\";"$'\n'
  pg_superuser -d postgres <<SQL
$sql
REVOKE CONNECT, TEMPORARY ON DATABASE template1 FROM PUBLIC;
REVOKE TEMPORARY ON DATABASE postgres FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
}

DB_HOST=$(url_part "$DATABASE_URL" hostname)
DB_PORT=$(url_part "$DATABASE_URL" port); DB_PORT=${DB_PORT:-5432}
if [ -n "$USER_DATABASE_URL" ] && tcp_open "$DB_HOST" "$DB_PORT"; then
  log "using the PostgreSQL at $DB_HOST:$DB_PORT from DATABASE_URL"
elif is_local_host "$DB_HOST"; then
  start_local_postgres
  # The platform role owns its databases; CREATEDB lets it make the shadow database for
  # `npm run db:migration`. The pool manager creates customer roles and databases, no superuser.
  ensure_role "$(url_part "$DATABASE_URL" username)" "$(url_part "$DATABASE_URL" password)" "NOSUPERUSER CREATEDB NOCREATEROLE"
  if [ "$MODE" = test ]; then
    # Every `npm test` starts from an empty test database: migrations are replayed from scratch
    # and no earlier run's rows (or a seeded admin with another password) linger.
    pg_superuser -c "\"DROP DATABASE IF EXISTS \\\"$(url_part "$DATABASE_URL" database)\\\" WITH (FORCE)\""
  fi
  ensure_database "$(url_part "$DATABASE_URL" database)" "$(url_part "$DATABASE_URL" username)"
  POOL_MANAGER=
  if is_local_host "$POOL_DB_HOST"; then
    ensure_role "$POOL_DB_MANAGER_USER" "$POOL_DB_MANAGER_PASSWORD" "NOSUPERUSER CREATEDB CREATEROLE"
    POOL_MANAGER=$POOL_DB_MANAGER_USER
  fi
  close_databases "$(url_part "$DATABASE_URL" username)" "$POOL_MANAGER" \
    "$(url_part "$DATABASE_URL" database)" "$(url_part "$PLATFORM_DATABASE_URL" database)"
else
  die "DATABASE_URL points at $DB_HOST:$DB_PORT, which does not answer"
fi
# pg_dump/psql used by backups must match the server's major version.
SERVER_MAJOR=${PG_MAJOR:-}
if [ -z "$SERVER_MAJOR" ]; then
  SERVER_MAJOR=$(node -e '
    const pg = require("pg"); const c = new pg.Client({ connectionString: process.argv[1] });
    c.connect().then(() => c.query("SHOW server_version_num")).then(r => { console.log(Math.floor(r.rows[0].server_version_num / 10000)); return c.end(); })
     .catch(() => process.exit(0));' "$DATABASE_URL" 2>/dev/null || true)
fi
[ -n "$SERVER_MAJOR" ] && apt_install "postgresql-client-$SERVER_MAJOR"

# ---------------------------------------------------------------- Redis
REDIS_HOST=$(url_part "$REDIS_URL" hostname)
REDIS_PORT=$(url_part "$REDIS_URL" port); REDIS_PORT=${REDIS_PORT:-6379}
if tcp_open "$REDIS_HOST" "$REDIS_PORT"; then
  [ -n "$USER_REDIS_URL" ] && log "using the Redis at $REDIS_HOST:$REDIS_PORT from REDIS_URL"
elif is_local_host "$REDIS_HOST"; then
  apt_install redis-server
  log "starting Redis on $REDIS_PORT"
  as_root mkdir -p /var/lib/odoo-saas/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" \
    --dir /var/lib/odoo-saas/redis --appendonly yes --logfile /var/log/odoo-saas-redis.log
  for i in $(seq 1 20); do tcp_open "$REDIS_HOST" "$REDIS_PORT" && break; sleep 0.25; done
  tcp_open "$REDIS_HOST" "$REDIS_PORT" || die "Redis did not start (see /var/log/odoo-saas-redis.log)"
else
  die "REDIS_URL points at $REDIS_HOST:$REDIS_PORT, which does not answer"
fi

# ---------------------------------------------------------------- container engine
if docker_ping "$DOCKER_HOST"; then
  [ -n "$USER_DOCKER_HOST" ] && log "using the container engine at $DOCKER_HOST"
elif [ -z "$USER_DOCKER_HOST" ] && docker_ping unix:///var/run/docker.sock; then
  log "using the Docker Engine at /var/run/docker.sock"
  export DOCKER_HOST=unix:///var/run/docker.sock
  sed -i 's|^DOCKER_HOST=.*|DOCKER_HOST=unix:///var/run/docker.sock|' .env
else
  case "$DOCKER_HOST" in unix://*) ;; *) die "DOCKER_HOST=$DOCKER_HOST does not answer" ;; esac
  apt_install podman runc
  # crun fails in this kind of sandbox; runc with cgroupfs works. No ulimit overrides.
  if ! grep -q 'runtime = "runc"' /etc/containers/containers.conf 2>/dev/null; then
    as_root mkdir -p /etc/containers
    printf '%s\n' '[containers]' 'default_ulimits = []' '[engine]' 'runtime = "runc"' \
      'cgroup_manager = "cgroupfs"' | as_root tee /etc/containers/containers.conf >/dev/null
  fi
  sock=$(docker_socket_path "$DOCKER_HOST")
  as_root mkdir -p "$(dirname "$sock")"
  as_root rm -f "$sock"
  log "starting podman's Docker-compatible API on $sock"
  # Started from / : the service outlives this checkout, and its container monitors (conmon)
  # fail to start ("write child: broken pipe") once its working directory is deleted.
  (cd / && as_root setsid nohup podman system service --time=0 "unix://$sock" >/var/log/odoo-saas-podman.log 2>&1 </dev/null &)
  for i in $(seq 1 40); do docker_ping "$DOCKER_HOST" && break; sleep 0.25; done
  docker_ping "$DOCKER_HOST" || die "the container engine did not start (see /var/log/odoo-saas-podman.log)"
fi

[ "$MODE" = test ] && apt_install chromium

# ---------------------------------------------------------------- npm dependencies
LOCK_HASH=$(file_hash package.json package-lock.json)
if [ ! -d node_modules ] || [ "$(cat "$STATE_DIR/npm-install" 2>/dev/null)" != "$LOCK_HASH" ]; then
  log "installing npm dependencies"
  # `npm ci` calls lockfiles made on these machines out of sync (other platforms' binaries are
  # missing from the registry here); `npm install` follows the lockfile all the same.
  npm install --include=dev --no-audit --no-fund --loglevel=error
  echo "$LOCK_HASH" >"$STATE_DIR/npm-install"
fi

# ---------------------------------------------------------------- Prisma
SCHEMA_HASH=$(file_hash prisma/schema.prisma package-lock.json)
if [ ! -d server/generated/prisma ] || [ "$(cat "$STATE_DIR/prisma-generate" 2>/dev/null)" != "$SCHEMA_HASH" ]; then
  log "generating the Prisma client"
  npx tsx scripts/prisma-generate.ts
  echo "$SCHEMA_HASH" >"$STATE_DIR/prisma-generate"
fi
npx tsx scripts/migrate.ts deploy
npx tsx prisma/seed.ts

# ---------------------------------------------------------------- Odoo image
if [ "$MODE" = start ] && [ "$ODOO_IMAGE" = odoo ]; then
  if ! npx tsx scripts/build-odoo-image.ts --probe-official; then
    log "the official Odoo image cannot be pulled here: using the Odoo test image"
    export ODOO_IMAGE=localhost/odoo-standin
    sed -i 's|^ODOO_IMAGE=.*|ODOO_IMAGE=localhost/odoo-standin|' .env
  fi
fi
if [ "$ODOO_IMAGE" = localhost/odoo-standin ]; then
  npx tsx scripts/build-odoo-image.ts
fi

# ---------------------------------------------------------------- web build
BUILD_HASH=$( (find app components server public -type f -not -path 'server/generated/*' 2>/dev/null; \
  ls next.config.js postcss.config.mjs tsconfig.json package-lock.json proxy.ts instrumentation.ts instrumentation-client.ts) | sort | xargs cat | sha256sum | cut -d' ' -f1)
if [ ! -f .next/BUILD_ID ] || [ "$(cat "$STATE_DIR/next-build" 2>/dev/null)" != "$BUILD_HASH" ]; then
  log "building the web app"
  npx next build
  echo "$BUILD_HASH" >"$STATE_DIR/next-build"
fi
log "setup complete"
