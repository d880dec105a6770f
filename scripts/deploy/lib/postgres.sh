# shellcheck shell=bash
# deploy.sh helpers for PostgreSQL: find the distribution's cluster, start it (with
# systemd or pg_ctlcluster), create the role and database, drop them on request.

PG_VERSION='' PG_CLUSTER='' PG_PORT='' PG_STATUS=''

has_postgresql_server() {
  compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null
}

# Sets PG_VERSION, PG_CLUSTER, PG_PORT, PG_STATUS from the first cluster pg_lsclusters lists.
find_cluster() {
  local line
  line=$(pg_lsclusters --no-header 2>/dev/null | head -n 1 || true)
  if [ -z "$line" ]; then
    PG_VERSION='' PG_CLUSTER='' PG_PORT='' PG_STATUS=''
    return 1
  fi
  read -r PG_VERSION PG_CLUSTER PG_PORT PG_STATUS _ <<<"$line"
}

# Makes sure a cluster exists and runs; says what it did.
ensure_postgresql_running() {
  if ! find_cluster; then
    local version
    version=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)
    [ -n "$version" ] || die "PostgreSQL is not installed (no /usr/lib/postgresql/VERSION)"
    pg_createcluster "$version" main >/dev/null
    find_cluster || die "pg_createcluster $version main created no cluster"
    did "created PostgreSQL cluster $PG_VERSION/$PG_CLUSTER"
  fi
  if [ "${PG_VERSION%%.*}" -lt 13 ]; then
    die "PostgreSQL $PG_VERSION/$PG_CLUSTER is too old: telemetrics-server needs PostgreSQL 13 or newer"
  fi
  if [ "$SERVICE_MANAGER" = systemd ]; then
    systemctl enable --quiet postgresql 2>/dev/null || true
    if [ "$PG_STATUS" != online ]; then
      systemctl start "postgresql@$PG_VERSION-$PG_CLUSTER"
      did "started PostgreSQL $PG_VERSION/$PG_CLUSTER (systemd)"
    fi
  elif [ "$PG_STATUS" != online ]; then
    pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start </dev/null >/dev/null
    did "started PostgreSQL $PG_VERSION/$PG_CLUSTER with pg_ctlcluster (systemd is not running: start it the same way after a reboot, or run deploy.sh -a restart)"
  fi
  find_cluster
  [ "$PG_STATUS" = online ] || die "PostgreSQL $PG_VERSION/$PG_CLUSTER did not start; see /var/log/postgresql/postgresql-$PG_VERSION-$PG_CLUSTER.log"
}

# psql as the postgres superuser over the local socket; SQL on stdin, never in the arguments.
pg_admin() {
  (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" "$@")
}

pg_exists() {
  local kind=$1 name=$2 sql
  case $kind in
    role) sql="SELECT 1 FROM pg_roles WHERE rolname = '$name'" ;;
    database) sql="SELECT 1 FROM pg_database WHERE datname = '$name'" ;;
  esac
  [ "$(pg_admin -d postgres -At -c "$sql")" = 1 ]
}

# Creates the role (or sets its password) and the database it owns.
ensure_database() {
  local password=$1 role_existed=0 database_existed=0
  pg_exists role "$DB_ROLE" && role_existed=1
  pg_exists database "$DB_NAME" && database_existed=1
  # The password is checked to hold only [A-Za-z0-9._~-]: safe inside a SQL literal.
  pg_admin -d postgres <<SQL
SELECT format('CREATE ROLE %I LOGIN', '$DB_ROLE') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$DB_ROLE') \gexec
ALTER ROLE "$DB_ROLE" LOGIN PASSWORD '$password';
SELECT CASE WHEN (SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = 'template1') = 'UTF8'
  THEN format('CREATE DATABASE %I OWNER %I', '$DB_NAME', '$DB_ROLE')
  ELSE format('CREATE DATABASE %I OWNER %I TEMPLATE template0 ENCODING %L LC_COLLATE %L LC_CTYPE %L', '$DB_NAME', '$DB_ROLE', 'UTF8', 'C', 'C')
  END
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$DB_NAME') \gexec
SQL
  if [ "$role_existed" = 1 ]; then did "kept PostgreSQL role $DB_ROLE (password set to the one in $CONFIG_FILE)"; else did "created PostgreSQL role $DB_ROLE"; fi
  if [ "$database_existed" = 1 ]; then did "kept database $DB_NAME and its data"; else did "created database $DB_NAME (owner $DB_ROLE)"; fi
}

drop_database() {
  if pg_exists database "$DB_NAME"; then
    pg_admin -d postgres -c "DROP DATABASE \"$DB_NAME\" WITH (FORCE)"
    did "dropped database $DB_NAME: its data is gone"
  else
    did "database $DB_NAME did not exist"
  fi
  if pg_exists role "$DB_ROLE"; then
    pg_admin -d postgres -c "DROP ROLE \"$DB_ROLE\""
    did "dropped PostgreSQL role $DB_ROLE"
  fi
}

pg_server_version() {
  pg_admin -d postgres -At -c 'SHOW server_version' 2>/dev/null || echo unknown
}

pg_schema_state() {
  pg_exists database "$DB_NAME" || {
    echo "no database $DB_NAME"
    return
  }
  pg_admin -d "$DB_NAME" -At -F ' ' -c "SELECT count(*) || ' migrations applied, last ' || coalesce(max(name), 'none') FROM schema_migrations" 2>/dev/null ||
    echo "database $DB_NAME has no schema yet"
}
