#!/bin/sh
# Written by telemetrics-server's deploy.sh: the `telemetrics` command of the installed
# server (migrate, resetdb, purge, import-reference, ...), run as @APP_USER@ with its config.
set -e
export TELEMETRICS_CONFIG=@CONFIG_FILE@
cd @STATE_DIR@
if [ "$(id -u)" = 0 ]; then
  exec setpriv --reuid=@APP_USER@ --regid=@APP_USER@ --init-groups -- \
    env HOME=@STATE_DIR@ TELEMETRICS_CONFIG=@CONFIG_FILE@ @NODE@ @INSTALL_DIR@/current/bin/telemetrics.js "$@"
fi
exec @NODE@ @INSTALL_DIR@/current/bin/telemetrics.js "$@"
