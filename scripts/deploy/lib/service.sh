# shellcheck shell=bash
# deploy.sh helpers for running the server: a systemd unit where systemd is PID 1,
# otherwise (containers) a background process with a pid file and a log file.

server_pid() {
  local pid
  [ -f "$PID_FILE" ] || return 1
  pid=$(<"$PID_FILE")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  # Only our process: a reused pid must never be signalled.
  [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'telemetrics.js serve' || return 1
  printf '%s' "$pid"
}

# Used by wait_for_200 to stop waiting for a server that already exited.
server_process_gone() {
  [ "$SERVICE_MANAGER" = none ] || return 1
  ! server_pid >/dev/null
}

install_unit() {
  render_template "$TEMPLATES_DIR/telemetrics-server.service" "$UNIT_FILE" \
    "NODE=$NODE_BIN" "INSTALL_DIR=$INSTALL_DIR" "CONFIG_FILE=$CONFIG_FILE" "STATE_DIR=$STATE_DIR" "APP_USER=$APP_USER"
  systemctl daemon-reload
  systemctl enable --quiet "$SERVICE"
}

start_server() {
  if [ "$SERVICE_MANAGER" = systemd ]; then
    systemctl start "$SERVICE"
    return
  fi
  server_pid >/dev/null && return 0
  install -d -m 0755 "$RUN_DIR"
  install -d -m 0750 -o root -g "$APP_USER" "$LOG_DIR"
  # exec keeps one pid from here to node: nohup, setsid and setpriv each exec the next.
  (
    cd "$STATE_DIR" || exit 1
    exec nohup setsid setpriv --reuid="$APP_USER" --regid="$APP_USER" --init-groups -- \
      env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$STATE_DIR" LANG=C.UTF-8 NODE_ENV=production TELEMETRICS_CONFIG="$CONFIG_FILE" \
      "$NODE_BIN" "$INSTALL_DIR/current/bin/telemetrics.js" serve >>"$LOG_FILE" 2>&1 </dev/null
  ) &
  printf '%s\n' "$!" >"$PID_FILE"
}

stop_server() {
  if [ "$SERVICE_MANAGER" = systemd ]; then
    systemctl stop "$SERVICE" 2>/dev/null || true
    return
  fi
  local pid waited=0
  pid=$(server_pid) || {
    rm -f "$PID_FILE"
    return 0
  }
  kill -TERM "$pid" 2>/dev/null || true
  # The server finishes in-flight requests (shutdownTimeoutMs, 30 s by default) before it exits.
  while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 400 ]; do
    sleep 0.1
    waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    warn "the server (pid $pid) did not stop within 40 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
}

restart_server() {
  if [ "$SERVICE_MANAGER" = systemd ]; then
    systemctl restart "$SERVICE"
  else
    stop_server
    start_server
  fi
}

# "active (pid N)" or "inactive"/"failed"/... for status and the summary.
server_state() {
  if [ "$SERVICE_MANAGER" = systemd ]; then
    systemctl is-active "$SERVICE" 2>/dev/null || true
  else
    local pid
    if pid=$(server_pid); then printf 'running (pid %s, no systemd; log %s)' "$pid" "$LOG_FILE"; else printf 'not running'; fi
  fi
}

# Waits for /readyz on the server's own port; on failure shows why.
wait_server_ready() {
  local timeout=$1
  if wait_for_200 "http://127.0.0.1:$PORT/readyz" "$timeout"; then return 0; fi
  warn "the server did not answer 200 on http://127.0.0.1:$PORT/readyz within $timeout s (last answer: ${LAST_ANSWER:-none})"
  if [ "$SERVICE_MANAGER" = systemd ]; then
    journalctl -u "$SERVICE" -n 20 --no-pager >&2 2>/dev/null || true
  elif [ -f "$LOG_FILE" ]; then
    printf -- '--- last lines of %s ---\n' "$LOG_FILE" >&2
    tail -n 20 "$LOG_FILE" >&2
  fi
  return 1
}

remove_server() {
  local state
  state=$(server_state)
  if [ "$state" = active ] || [[ $state == running* ]]; then
    stop_server
    did "stopped the server"
  fi
  if [ -f "$UNIT_FILE" ]; then
    systemctl disable --quiet "$SERVICE" 2>/dev/null || true
    rm -f "$UNIT_FILE"
    [ "$SERVICE_MANAGER" = systemd ] && systemctl daemon-reload
    did "removed the systemd unit $UNIT_FILE"
  fi
}
