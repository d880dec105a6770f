# shellcheck shell=bash
# deploy.sh's actions (install, deploy, migrate, resetdb, restart, status, uninstall)
# and the steps only they use. Sourced by scripts/deploy.sh only.

install_packages() {
  local wanted=(nginx ca-certificates) missing=() package before
  has_postgresql_server || wanted+=(postgresql)
  [ "$SOURCE_TYPE" = git ] && wanted+=(git)
  for package in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    did "packages already installed: ${wanted[*]}$(has_postgresql_server && printf ' (and PostgreSQL)')"
    return
  fi
  say "installing ${missing[*]} with apt-get"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  before=$(state_get PACKAGES_INSTALLED)
  # shellcheck disable=SC2086 # a space-separated list, split on purpose
  state_set PACKAGES_INSTALLED "$(printf '%s\n' $before "${missing[@]}" | sort -u | tr '\n' ' ' | sed 's/ $//')"
  did "installed packages: ${missing[*]}"
}

ensure_user() {
  if id -u "$APP_USER" >/dev/null 2>&1; then
    did "service user $APP_USER exists"
  else
    useradd --system --user-group --home-dir "$STATE_DIR" --no-create-home --shell /usr/sbin/nologin "$APP_USER"
    did "created service user $APP_USER"
  fi
  install -d -m 0755 -o root -g root "$INSTALL_DIR"
  install -d -m 0750 -o "$APP_USER" -g "$APP_USER" "$STATE_DIR"
}

# TELEMETRICS_ADMIN_PASSWORD (first admin) and TELEMETRICS_ADMIN_TOKEN (admin API token)
# go into the config when set; checked here so that a bad one fails before any change.
check_auth_settings() {
  local password=${TELEMETRICS_ADMIN_PASSWORD:-} token=${TELEMETRICS_ADMIN_TOKEN:-}
  if [ -n "$password" ] && [ "${#password}" -lt 8 ]; then die "TELEMETRICS_ADMIN_PASSWORD must have 8 or more characters"; fi
  if [ -n "$token" ] && ! [[ $token =~ ^[!-~]{16,512}$ ]]; then die "TELEMETRICS_ADMIN_TOKEN must be 16 to 512 printable ASCII characters without spaces"; fi
  return 0
}

# The database password: TELEMETRICS_DB_PASSWORD, else the installed config's, else a new one.
choose_password() {
  local password=${TELEMETRICS_DB_PASSWORD:-}
  if [ -n "$password" ]; then
    [[ $password =~ ^[A-Za-z0-9._~-]{16,}$ ]] || die "TELEMETRICS_DB_PASSWORD must be 16 or more characters from A-Z a-z 0-9 . _ ~ -"
  elif [ -f "$CONFIG_FILE" ]; then
    password=$(read_config_password)
  fi
  if [ -z "$password" ]; then
    password=$("$NODE_BIN" -p 'require("crypto").randomBytes(24).toString("hex")')
    did "generated a database password (kept in $CONFIG_FILE only)"
  fi
  DB_PASSWORD=$password
}

# Migrates with a staged release, switches to it, restarts and waits for /readyz;
# goes back to the previous release when the new one does not become ready.
activate_release() {
  local next=$1 before
  before=$(release_of current)
  migrate_with "$next"
  switch_release "$next"
  [ "$SERVICE_MANAGER" = systemd ] && install_unit
  restart_server
  if wait_server_ready "$READY_TIMEOUT"; then
    did "release $next is running and ready ($(server_state))"
    return 0
  fi
  if [ -z "$before" ] || [ "$before" = "$next" ]; then
    die "the server did not become ready within $READY_TIMEOUT s and there is no previous release to go back to"
  fi
  warn "rolling back to release $before"
  switch_release "$before"
  restart_server
  if wait_server_ready "$READY_TIMEOUT"; then
    did "ROLLED BACK: release $next did not become ready within $READY_TIMEOUT s; release $before runs again and is ready (migrations of $next stay applied; they are forward-compatible)"
  else
    did "rollback to release $before: it did not become ready either"
  fi
  die "deploy of release $next failed: it did not become ready"
}

check_through_nginx() {
  if wait_for_200 "http://127.0.0.1/readyz" 15 "$DOMAIN"; then
    did "nginx answers http://$DOMAIN/readyz with 200"
  else
    die "the server is ready but http://$DOMAIN/readyz through nginx answers: ${LAST_ANSWER:-nothing}"
  fi
}

require_installed() {
  if [ ! -L "$INSTALL_DIR/current" ] || [ ! -f "$CONFIG_FILE" ]; then
    die "telemetrics-server is not installed here ($INSTALL_DIR/current or $CONFIG_FILE missing): run deploy.sh -H $DOMAIN -a install first"
  fi
}

resolve_port() {
  PORT=${PORT:-$(read_config_value port 8080)}
}

action_install() {
  check_node
  check_auth_settings
  install_packages
  ensure_postgresql_running
  ensure_user
  choose_password
  ensure_database "$DB_PASSWORD"
  resolve_port
  write_config "postgresql://$DB_ROLE:$DB_PASSWORD@127.0.0.1:$PG_PORT/$DB_NAME"
  stage_release
  install_command
  activate_release "$NEW_RELEASE"
  configure_nginx
  check_through_nginx
  prune_releases
  state_set DOMAIN "$DOMAIN"
  state_set DISTRO "$DISTRO"
  did "the telemetrics command runs as $APP_USER with the installed config: $COMMAND_FILE"
}

action_deploy() {
  require_installed
  check_node
  resolve_port
  ensure_postgresql_running
  stage_release
  install_command
  activate_release "$NEW_RELEASE"
  configure_nginx
  check_through_nginx
  prune_releases
}

action_migrate() {
  require_installed
  check_node
  ensure_postgresql_running
  migrate_with "$(release_of current)"
}

action_resetdb() {
  require_installed
  check_node
  resolve_port
  confirm "resetdb DELETES EVERY RECORD in database $DB_NAME and recreates the empty schema."
  ensure_postgresql_running
  stop_server
  local output
  output=$(run_telemetrics "$(release_of current)" resetdb --yes 2>&1) || die "telemetrics resetdb failed: $output"
  did "$output"
  start_server
  wait_server_ready "$READY_TIMEOUT" || die "the server did not become ready after resetdb"
  did "server restarted ($(server_state))"
}

action_restart() {
  require_installed
  check_node
  resolve_port
  ensure_postgresql_running
  [ "$SERVICE_MANAGER" = systemd ] && install_unit
  restart_server
  wait_server_ready "$READY_TIMEOUT" || die "the server did not become ready after the restart"
  did "restarted the server: $(server_state)"
  configure_nginx
  check_through_nginx
}

action_status() {
  if [ ! -L "$INSTALL_DIR/current" ]; then
    say "telemetrics-server is not installed here ($INSTALL_DIR/current missing)"
    exit 3
  fi
  check_node
  resolve_port
  local current previous direct proxied healthy=0
  current=$(release_of current)
  previous=$(release_of previous)
  direct=$(http_get "http://127.0.0.1:$PORT/readyz")
  proxied=$(http_get "http://127.0.0.1/readyz" "$DOMAIN")
  find_cluster || true
  printf 'telemetrics-server status\n'
  printf '  release:     %s (version %s)\n' "$current" "$(release_version "$current")"
  printf '  previous:    %s\n' "${previous:-none}"
  printf '  service:     %s (%s)\n' "$(server_state)" "$([ "$SERVICE_MANAGER" = systemd ] && echo "systemd unit $SERVICE" || echo 'no systemd')"
  printf '  readyz:      %s (http://127.0.0.1:%s/readyz)\n' "$direct" "$PORT"
  printf '  via nginx:   %s (http://%s/readyz)\n' "$proxied" "$DOMAIN"
  printf '  nginx:       %s, site %s\n' "$( (nginx_running || { [ "$SERVICE_MANAGER" = systemd ] && systemctl is-active --quiet nginx; }) && echo running || echo 'not running')" \
    "$([ -e "$NGINX_LINK" ] && echo enabled || echo 'not enabled')"
  printf '  TLS:         %s\n' "$(tls_configured && echo "on (certificate $TLS_DIR/cert.pem)" || echo "off (no $TLS_DIR/cert.pem and key.pem)")"
  printf '  PostgreSQL:  %s/%s on port %s, %s, server %s\n' "${PG_VERSION:-?}" "${PG_CLUSTER:-?}" "${PG_PORT:-?}" "${PG_STATUS:-unknown}" "$( [ "$PG_STATUS" = online ] && pg_server_version || echo '-')"
  printf '  schema:      %s\n' "$( [ "$PG_STATUS" = online ] && pg_schema_state || echo '-')"
  printf '  node:        %s (%s)\n' "$("$NODE_BIN" --version)" "$NODE_BIN"
  printf '  config:      %s\n' "$CONFIG_FILE"
  [ "${direct%% *}" = 200 ] && [ "${proxied%% *}" = 200 ] && healthy=1
  if [ "$healthy" = 1 ]; then
    printf 'healthy: the server is ready, directly and through nginx\n'
  else
    printf 'NOT healthy: see the lines above; deploy.sh -H %s -a restart starts what is stopped\n' "$DOMAIN"
    exit 1
  fi
}

action_uninstall() {
  [ "$DROP_DATABASE" = 0 ] || confirm "uninstall --drop-database DELETES database $DB_NAME with every record."
  local packages tls_kept=0
  packages=$(state_get PACKAGES_INSTALLED)
  remove_server
  if command -v nginx >/dev/null || [ -e "$NGINX_SITE" ]; then remove_nginx_site; fi
  if [ -f "$COMMAND_FILE" ] && grep -q 'telemetrics-server' "$COMMAND_FILE"; then
    rm -f "$COMMAND_FILE"
    did "removed $COMMAND_FILE"
  fi
  if [ -d "$INSTALL_DIR" ]; then
    rm -rf "$INSTALL_DIR"
    did "removed $INSTALL_DIR (code and releases)"
  fi
  if [ -d "$TLS_DIR" ] && [ -n "$(ls -A "$TLS_DIR")" ]; then tls_kept=1; fi
  if [ -d "$CONFIG_DIR" ]; then
    find "$CONFIG_DIR" -mindepth 1 -maxdepth 1 ! -name tls -exec rm -rf {} +
    if [ "$tls_kept" = 1 ]; then
      did "removed $CONFIG_DIR except $TLS_DIR (your certificate is kept)"
    else
      rm -rf "$CONFIG_DIR"
      did "removed $CONFIG_DIR (config and database password)"
    fi
  fi
  for dir in "$STATE_DIR" "$LOG_DIR" "$RUN_DIR"; do
    if [ -d "$dir" ]; then
      rm -rf "$dir"
      did "removed $dir"
    fi
  done
  if id -u "$APP_USER" >/dev/null 2>&1; then
    userdel "$APP_USER"
    getent group "$APP_USER" >/dev/null && groupdel "$APP_USER"
    did "removed service user $APP_USER"
  fi
  if has_postgresql_server && find_cluster; then
    if [ "$DROP_DATABASE" = 1 ]; then
      ensure_postgresql_running
      drop_database
    elif [ "$PG_STATUS" != online ]; then
      did "PostgreSQL $PG_VERSION/$PG_CLUSTER is stopped: database $DB_NAME, if there is one, was not touched"
    elif ! pg_exists database "$DB_NAME"; then
      did "no database $DB_NAME to keep"
    else
      did "KEPT database $DB_NAME and role $DB_ROLE on PostgreSQL $PG_VERSION/$PG_CLUSTER with all records (drop them with -a uninstall --drop-database)"
    fi
  fi
  if [ -n "$packages" ]; then
    did "packages that install added and uninstall leaves in place: $packages (remove them with: apt-get purge $packages)"
  fi
}
