#!/usr/bin/env bash
# deploy.sh: installs and runs telemetrics-server on a Debian or Ubuntu machine, with
# PostgreSQL and nginx, and the reference deploy.sh's actions (reference-backend §13).
# Actions and helpers live in scripts/deploy/lib, templates in scripts/deploy/templates; see
# docs/deploy.md. Every action may be run again; none asks unless it destroys data.
set -Eeuo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TEMPLATES_DIR=$SCRIPT_DIR/deploy/templates

readonly APP_USER=telemetrics
readonly DB_NAME=telemetrics
readonly DB_ROLE=telemetrics
readonly SERVICE=telemetrics-server
readonly INSTALL_DIR=/opt/telemetrics-server
readonly CONFIG_DIR=/etc/telemetrics-server
readonly CONFIG_FILE=$CONFIG_DIR/config.json
readonly TLS_DIR=$CONFIG_DIR/tls
readonly STATE_DIR=/var/lib/telemetrics-server
readonly LOG_DIR=/var/log/telemetrics-server
readonly LOG_FILE=$LOG_DIR/server.log
readonly RUN_DIR=/run/telemetrics-server
readonly PID_FILE=$RUN_DIR/server.pid
readonly STATE_FILE=$INSTALL_DIR/deploy-state
readonly UNIT_FILE=/etc/systemd/system/telemetrics-server.service
readonly NGINX_SITE=/etc/nginx/sites-available/telemetrics-server
readonly NGINX_LINK=/etc/nginx/sites-enabled/telemetrics-server
readonly COMMAND_FILE=/usr/local/bin/telemetrics
readonly ACTIONS='install deploy migrate resetdb restart status uninstall'
READY_TIMEOUT=${TELEMETRICS_DEPLOY_READY_TIMEOUT:-60}

usage() {
  cat <<EOF
Usage: deploy.sh -H DOMAIN [-a ACTION] [-d DISTRO] [-t TYPE] [-s SOURCE] [-r REPOSITORY] [-p PORT] [--yes] [--drop-database]

Installs and manages telemetrics-server with PostgreSQL and nginx on Debian or Ubuntu. Run as root.

  -H DOMAIN      name clients use to reach this server (nginx server_name); required
  -a ACTION      install   packages, service user, database, code, config, service, nginx site
                 deploy    (default) install a new version of the code, migrate, restart;
                           rolls back to the previous version if it does not become ready
                 migrate   apply pending database migrations
                 resetdb   DELETE ALL DATA and recreate the schema (asks; --yes answers)
                 restart   restart the server (and PostgreSQL and nginx where systemd is absent);
                           rewrites the nginx site, so a new TLS certificate takes effect
                 status    service state, readiness, versions
                 uninstall remove what install created; keeps the database unless --drop-database
  -d DISTRO      debian or ubuntu (default: this machine's, from /etc/os-release)
  -t TYPE        where the code comes from: dir (a source folder; the default, this checkout),
                 tarball (a .tar/.tar.gz of the source tree) or git
  -s SOURCE      dir: the folder (default: the checkout holding this script); tarball: its path;
                 git: branch or tag (default: main)
  -r REPOSITORY  git repository URL (with -t git)
  -p PORT        loopback port of the server behind nginx (default: the config's, else 8080)
  -y, --yes      answer yes to every question (also TELEMETRICS_DEPLOY_YES=1)
  --drop-database  with uninstall: also drop the database and its role (asks; --yes answers)
  -h, --help     this help

Environment: TELEMETRICS_DB_PASSWORD sets the database password (16+ characters from
A-Z a-z 0-9 . _ ~ -; default: kept from the config, else generated), TELEMETRICS_DEPLOY_YES=1
is --yes, TELEMETRICS_DEPLOY_READY_TIMEOUT the seconds to wait for /readyz (default 60).
TELEMETRICS_ADMIN_PASSWORD (8+ characters) is the password of the first admin, created at
the first start (default: generated, in the journal once: journalctl -u telemetrics-server
| grep generatedPassword); TELEMETRICS_ADMIN_TOKEN (16+ characters) an admin API token.
Both are written to the config.
TLS: put cert.pem and key.pem in $TLS_DIR, then run install or restart again.
EOF
}

# shellcheck source=deploy/lib/common.sh
. "$SCRIPT_DIR/deploy/lib/common.sh"
# shellcheck source=deploy/lib/postgres.sh
. "$SCRIPT_DIR/deploy/lib/postgres.sh"
# shellcheck source=deploy/lib/release.sh
. "$SCRIPT_DIR/deploy/lib/release.sh"
# shellcheck source=deploy/lib/service.sh
. "$SCRIPT_DIR/deploy/lib/service.sh"
# shellcheck source=deploy/lib/nginx.sh
. "$SCRIPT_DIR/deploy/lib/nginx.sh"
# shellcheck source=deploy/lib/actions.sh
. "$SCRIPT_DIR/deploy/lib/actions.sh"

ACTION=deploy DOMAIN='' DISTRO='' SOURCE_TYPE='' SOURCE='' REPO='' PORT='' DROP_DATABASE=0
ASSUME_YES=${TELEMETRICS_DEPLOY_YES:-0}
STAGING_DIR=''

parse_args() {
  while [ $# -gt 0 ]; do
    case $1 in
      -a | -d | -H | -p | -r | -s | -t)
        [ $# -ge 2 ] || die_usage "option $1 needs a value"
        case $1 in
          -a) ACTION=$2 ;;
          -d) DISTRO=$2 ;;
          -H) DOMAIN=$2 ;;
          -p) PORT=$2 ;;
          -r) REPO=$2 ;;
          -s) SOURCE=$2 ;;
          -t) SOURCE_TYPE=$2 ;;
        esac
        shift 2
        ;;
      -y | --yes) ASSUME_YES=1 && shift ;;
      --drop-database) DROP_DATABASE=1 && shift ;;
      -h | --help) usage && exit 0 ;;
      *) die_usage "unknown option: $1" ;;
    esac
  done
}

# Every usage check runs before anything on the machine changes.
check_args() {
  [ -n "$DOMAIN" ] || die_usage "Missing required -H option"
  [[ $DOMAIN =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]] || die_usage "-H $DOMAIN is not a host name"
  [[ " $ACTIONS " == *" $ACTION "* ]] || die_usage "invalid argument for -a: $ACTION (one of: $ACTIONS)"
  if [ -n "$PORT" ] && { ! [[ $PORT =~ ^[0-9]+$ ]] || [ "$PORT" -lt 1 ] || [ "$PORT" -gt 65535 ] || [ "$PORT" -eq 80 ] || [ "$PORT" -eq 443 ]; }; then
    die_usage "-p $PORT is not a free-to-use port number (1-65535, not 80 or 443)"
  fi
  [ "$DROP_DATABASE" = 0 ] || [ "$ACTION" = uninstall ] || die_usage "--drop-database goes with -a uninstall only"
  [[ $READY_TIMEOUT =~ ^[0-9]+$ ]] || die_usage "TELEMETRICS_DEPLOY_READY_TIMEOUT must be a number of seconds"
  if [ -z "$SOURCE_TYPE" ]; then
    if [ -f "$SCRIPT_DIR/../package.json" ]; then SOURCE_TYPE=dir; else SOURCE_TYPE=git; fi
  fi
  case $SOURCE_TYPE in
    dir) SOURCE=${SOURCE:-$(cd "$SCRIPT_DIR/.." && pwd)} ;;
    tarball) [ -n "$SOURCE" ] || die_usage "-t tarball needs -s PATH_OF_THE_TARBALL" ;;
    git)
      SOURCE=${SOURCE:-main}
      if [ -z "$REPO" ] && [[ " install deploy " == *" $ACTION "* ]]; then
        die_usage "-t git needs -r REPOSITORY (there is no default repository)"
      fi
      ;;
    *) die_usage "invalid argument for -t: $SOURCE_TYPE (dir, tarball or git)" ;;
  esac
  if [ "$SOURCE_TYPE" = tarball ] && [ "${SOURCE#/}" = "$SOURCE" ]; then SOURCE=$(pwd)/$SOURCE; fi
  if [ "$SOURCE_TYPE" = dir ]; then
    [ -d "$SOURCE" ] || die_usage "-s $SOURCE: no such folder"
    SOURCE=$(cd "$SOURCE" && pwd)
  fi
}

# Refuses other distributions before changing anything (the reference's clr, centos and opensuse are not supported).
check_distro() {
  local id='' like=''
  if [ -r /etc/os-release ]; then
    id=$(. /etc/os-release && printf '%s' "${ID:-}")
    like=$(. /etc/os-release && printf '%s' "${ID_LIKE:-}")
  fi
  if [ -n "$DISTRO" ] && [ "$DISTRO" != debian ] && [ "$DISTRO" != ubuntu ]; then
    die_usage "distribution '$DISTRO' is not supported: deploy.sh supports debian and ubuntu only; nothing was changed"
  fi
  if [ "$id" != debian ] && [ "$id" != ubuntu ] && [[ " $like " != *" debian "* ]]; then
    die "this machine runs '${id:-an unknown system}' (/etc/os-release): deploy.sh supports Debian and Ubuntu only; nothing was changed"
  fi
  DISTRO=${DISTRO:-$id}
  if [ "$DISTRO" = ubuntu ] && [ "$id" != ubuntu ]; then
    die "-d ubuntu, but this machine runs $id (/etc/os-release); nothing was changed"
  fi
}

check_root() {
  [ "$(id -u)" -eq 0 ] || die "deploy.sh changes the system: run it as root (sudo $0 ...)"
}

# Node.js 20 or newer, runnable by the service user; stops with instructions otherwise.
check_node() {
  local node major
  node=$(command -v node || true)
  if [ -z "$node" ]; then
    die "Node.js is not installed. $(node_instructions)"
  fi
  NODE_BIN=$(readlink -f "$node")
  major=$("$NODE_BIN" -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 20 ] || die "Node.js $("$NODE_BIN" --version) at $NODE_BIN is too old: telemetrics-server needs 20 or newer. $(node_instructions)"
  command -v npm >/dev/null || die "npm is missing beside Node.js at $NODE_BIN. $(node_instructions)"
  if ! (cd / && runuser -u nobody -- "$NODE_BIN" --version) >/dev/null 2>&1; then
    die "$NODE_BIN cannot be run by other users (is it under a home folder, from nvm?); the service user must run it. $(node_instructions)"
  fi
}

node_instructions() {
  printf '%s' "Install Node.js 20 or newer system-wide, then run deploy.sh again: on Debian 13 \`apt-get install nodejs npm\`; on Debian 12 and Ubuntu the NodeSource packages (https://github.com/nodesource/distributions, e.g. Node.js 22), or the official binaries unpacked under /usr/local. Check with \`node --version\`."
}

on_exit() {
  local status=$?
  trap - ERR
  if [ -n "$STAGING_DIR" ]; then rm -rf "$STAGING_DIR"; fi
  if [ "$status" -ne 0 ] && [ "$status" -ne 2 ] && [ "$status" -ne 3 ] && [ "$ACTION_STARTED" = 1 ]; then
    print_summary "deploy.sh -a $ACTION FAILED after $SECONDS s; done before the failure:" >&2
  fi
}

on_error() {
  printf 'ERROR: deploy.sh stopped at %s line %s: %s\n' "${BASH_SOURCE[1]##*/}" "$1" "$2" >&2
}

ACTION_STARTED=0
trap on_exit EXIT
trap 'on_error "$LINENO" "$BASH_COMMAND"' ERR

parse_args "$@"
check_args
check_distro
check_root
if [ -d /run/systemd/system ]; then SERVICE_MANAGER=systemd; else SERVICE_MANAGER=none; fi
NODE_BIN=$(command -v node || true)

if [ "$ACTION" = install ] || [ "$ACTION" = deploy ]; then
  say "action $ACTION, domain $DOMAIN, distribution $DISTRO, source $SOURCE_TYPE $SOURCE${REPO:+ from $REPO}"
else
  say "action $ACTION, domain $DOMAIN, distribution $DISTRO"
fi
if [ "$SERVICE_MANAGER" = none ]; then
  say "systemd is not running here (PID 1 is $(ps -p 1 -o comm= 2>/dev/null || echo unknown)): PostgreSQL, nginx and the server are started without it"
fi
ACTION_STARTED=1
"action_$ACTION"
[ "$ACTION" = status ] && exit 0
print_summary "deploy.sh -a $ACTION done in $SECONDS s:"
if [ "$ACTION" = install ] || [ "$ACTION" = deploy ]; then
  scheme=http
  tls_configured && scheme=https
  printf '\nPoint the clients at it: in /etc/telemetrics/telemetrics.conf set server=%s://%s/v2/collector\n' "$scheme" "$DOMAIN"
  printf '(clients 2.4 and later: %s://%s/v3/collector); check with deploy.sh -H %s -a status.\n' "$scheme" "$DOMAIN" "$DOMAIN"
fi
