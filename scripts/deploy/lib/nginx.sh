# shellcheck shell=bash
# deploy.sh helpers for nginx: the site in front of the server (underscore headers,
# body limit, client address; TLS when a certificate is there), reloads and removal.

nginx_running() {
  local pid
  [ -s /run/nginx.pid ] || return 1
  pid=$(</run/nginx.pid)
  kill -0 "$pid" 2>/dev/null
}

tls_configured() {
  [ -s "$TLS_DIR/cert.pem" ] && [ -s "$TLS_DIR/key.pem" ]
}

# Starts nginx, or reloads it when it runs; stderr goes to a file: a daemon must not hold ours.
reload_nginx() {
  local out
  out=$(mktemp)
  if [ "$SERVICE_MANAGER" = systemd ]; then
    systemctl enable --quiet nginx 2>/dev/null || true
    systemctl reload-or-restart nginx || die "nginx did not (re)start: $(systemctl status nginx --no-pager 2>&1 | tail -n 5)"
  elif nginx_running; then
    nginx -s reload >"$out" 2>&1 || die "nginx -s reload failed: $(<"$out")"
  else
    nginx </dev/null >"$out" 2>&1 || die "nginx did not start: $(<"$out")"
    did "started nginx (systemd is not running: start it with \`nginx\` after a reboot, or run deploy.sh -a restart)"
  fi
  rm -f "$out"
}

configure_nginx() {
  local body_limit client_max tls=0 ipv6=0 test_output
  body_limit=$(read_config_value ingest.bodyLimit 1048576)
  # A little above the server's own limit, so that the server answers 413 (with its JSON body).
  client_max="$(((body_limit + 1023) / 1024 + 64))k"
  tls_configured && tls=1
  [ -f /proc/net/if_inet6 ] && ipv6=1
  install -d -m 0755 "$CONFIG_DIR/nginx"
  render_template "$TEMPLATES_DIR/nginx-site.conf" "$NGINX_SITE" \
    "DOMAIN=$DOMAIN" "PORT=$PORT" "CLIENT_MAX_BODY_SIZE=$client_max" "CONFIG_DIR=$CONFIG_DIR" "TLS_DIR=$TLS_DIR" "TLS=$tls" "IPV6=$ipv6"
  ln -sfn "$NGINX_SITE" "$NGINX_LINK"
  # Debian's stock site also claims port 80 as default server; ours replaces it (uninstall restores it).
  if [ -L /etc/nginx/sites-enabled/default ] && [ "$(readlink -f /etc/nginx/sites-enabled/default)" = /etc/nginx/sites-available/default ]; then
    rm -f /etc/nginx/sites-enabled/default
    state_set DEFAULT_SITE_DISABLED 1
    did "disabled nginx's stock default site (uninstall restores it)"
  fi
  if ! test_output=$(nginx -t 2>&1); then
    rm -f "$NGINX_LINK"
    die "nginx rejects the configuration (site removed again): $test_output"
  fi
  reload_nginx
  if [ "$tls" = 1 ]; then
    did "nginx site $NGINX_SITE: http://$DOMAIN/ on port 80 and https://$DOMAIN/ on port 443 (certificate $TLS_DIR/cert.pem)"
  else
    did "nginx site $NGINX_SITE: http://$DOMAIN/ on port 80 (no TLS: put cert.pem and key.pem in $TLS_DIR and run -a restart to add port 443)"
  fi
}

remove_nginx_site() {
  local removed=0
  [ -e "$NGINX_LINK" ] || [ -L "$NGINX_LINK" ] && removed=1
  [ -e "$NGINX_SITE" ] && removed=1
  rm -f "$NGINX_LINK" "$NGINX_SITE"
  if [ "$(state_get DEFAULT_SITE_DISABLED)" = 1 ] && [ -f /etc/nginx/sites-available/default ] && [ ! -e /etc/nginx/sites-enabled/default ]; then
    ln -s /etc/nginx/sites-available/default /etc/nginx/sites-enabled/default
    did "restored nginx's stock default site"
  fi
  if [ "$removed" = 1 ]; then
    did "removed the nginx site $NGINX_SITE"
    if command -v nginx >/dev/null && nginx -t >/dev/null 2>&1; then
      if [ "$SERVICE_MANAGER" = systemd ]; then
        systemctl reload nginx 2>/dev/null || true
      elif nginx_running; then
        nginx -s reload >/dev/null 2>&1 || true
      fi
    fi
  fi
}
