# shellcheck shell=bash disable=SC2016 # node -e scripts are single-quoted on purpose
# deploy.sh helpers for the code: stage a release from a folder, a tarball or git,
# build it (the UI, when the tree has a build:ui script) and keep production
# dependencies only; switch the `current` link; write the config and the command.

RELEASES_DIR=$INSTALL_DIR/releases
NEW_RELEASE=''

# Folders of a working tree that never go into a release.
STAGE_EXCLUDES=(--exclude=./node_modules --exclude=./.git --exclude=./data --exclude=./dist --exclude=./test-output
  --exclude=./.scratch --exclude=./.tmp-dev --exclude='*.log' --exclude=./.tsbuildinfo)

# Copies the source into a new folder under releases/, installs its dependencies; sets NEW_RELEASE.
stage_release() {
  local id staging version origin
  id=$(date -u +%Y%m%dT%H%M%SZ)
  mkdir -p "$RELEASES_DIR"
  staging=$(mktemp -d "$RELEASES_DIR/.staging-$id-XXXX")
  STAGING_DIR=$staging
  case $SOURCE_TYPE in
    dir)
      [ -d "$SOURCE" ] || die "-s $SOURCE: no such folder"
      tar -C "$SOURCE" "${STAGE_EXCLUDES[@]}" -cf - . | tar -C "$staging" -xf -
      origin="folder $SOURCE"
      ;;
    tarball)
      [ -f "$SOURCE" ] || die "-s $SOURCE: no such tarball"
      local unpack
      unpack=$(mktemp -d "$RELEASES_DIR/.unpack-XXXX")
      tar -C "$unpack" -xf "$SOURCE" || die "cannot unpack $SOURCE"
      # `git archive --prefix=x/` and `npm pack` put everything in one top folder.
      local entries=("$unpack"/*)
      if [ ${#entries[@]} -eq 1 ] && [ -d "${entries[0]}" ] && [ ! -e "$unpack/package.json" ]; then
        tar -C "${entries[0]}" "${STAGE_EXCLUDES[@]}" -cf - . | tar -C "$staging" -xf -
      else
        tar -C "$unpack" "${STAGE_EXCLUDES[@]}" -cf - . | tar -C "$staging" -xf -
      fi
      rm -rf "$unpack"
      origin="tarball $SOURCE"
      ;;
    git)
      git clone --quiet --depth 1 --branch "$SOURCE" "$REPO" "$staging/tree" || die "git clone of $REPO (branch or tag $SOURCE) failed"
      origin="git $REPO $SOURCE at $(git -C "$staging/tree" rev-parse --short HEAD)"
      rm -rf "$staging/tree/.git"
      (shopt -s dotglob && mv "$staging/tree"/* "$staging/")
      rmdir "$staging/tree"
      ;;
  esac
  if [ ! -f "$staging/package.json" ] || [ ! -f "$staging/bin/telemetrics.js" ] || ! grep -q '"name": *"telemetrics-server"' "$staging/package.json"; then
    rm -rf "$staging"
    die "$origin is not a telemetrics-server source tree (no package.json named telemetrics-server with bin/telemetrics.js)"
  fi
  [ -f "$staging/package-lock.json" ] || die "$origin has no package-lock.json: deploy.sh installs exactly the locked dependencies (npm ci)"

  version=$(cd "$staging" && "$NODE_BIN" -p 'require("./package.json").version')
  say "installing dependencies of telemetrics-server $version ($origin)"
  if (cd "$staging" && "$NODE_BIN" -e 'process.exit(require("./package.json").scripts?.["build:ui"] ? 0 : 1)'); then
    # The UI build needs the dev dependencies; the release keeps production ones only.
    (cd "$staging" && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build:ui && npm prune --omit=dev --no-audit --no-fund --loglevel=error) ||
      die "building the release failed (npm ci, npm run build:ui, npm prune in $staging)"
  else
    (cd "$staging" && npm ci --omit=dev --no-audit --no-fund --loglevel=error) || die "npm ci --omit=dev failed in $staging"
  fi
  printf 'version=%s\nsource=%s\ninstalled=%s\n' "$version" "$origin" "$id" >"$staging/.release"
  chown -R root:root "$staging"
  chmod -R u+rwX,go+rX,go-w "$staging"
  NEW_RELEASE="$version-$id"
  local n=1
  while [ -e "$RELEASES_DIR/$NEW_RELEASE" ]; do
    NEW_RELEASE="$version-$id-$n"
    n=$((n + 1))
  done
  mv -T "$staging" "$RELEASES_DIR/$NEW_RELEASE"
  STAGING_DIR=''
  did "staged release $NEW_RELEASE from $origin with production dependencies only"
}

release_of() { # link name -> release folder name ('' when none)
  local target
  target=$(readlink "$INSTALL_DIR/$1" 2>/dev/null || true)
  printf '%s' "${target##*/}"
}

release_version() {
  sed -n 's/^version=//p' "$RELEASES_DIR/$1/.release" 2>/dev/null || true
}

# Points `current` at a release (atomically) and `previous` at the one it replaces.
switch_release() {
  local next=$1 before
  before=$(release_of current)
  [ "$before" = "$next" ] && return 0
  ln -sfn "releases/$next" "$INSTALL_DIR/current.tmp"
  mv -Tf "$INSTALL_DIR/current.tmp" "$INSTALL_DIR/current"
  if [ -n "$before" ]; then
    ln -sfn "releases/$before" "$INSTALL_DIR/previous.tmp"
    mv -Tf "$INSTALL_DIR/previous.tmp" "$INSTALL_DIR/previous"
  fi
}

# Keeps current, previous and the newest other release; deletes older ones.
prune_releases() {
  local keep_current keep_previous release kept=0 removed=0
  keep_current=$(release_of current)
  keep_previous=$(release_of previous)
  while IFS= read -r release; do
    [ -n "$release" ] || continue
    if [ "$release" = "$keep_current" ] || [ "$release" = "$keep_previous" ]; then continue; fi
    kept=$((kept + 1))
    if [ "$kept" -gt 1 ]; then
      rm -rf "${RELEASES_DIR:?}/$release"
      removed=$((removed + 1))
    fi
  done < <(find "$RELEASES_DIR" -mindepth 1 -maxdepth 1 -type d ! -name '.*' -printf '%f\n' | sort -r)
  find "$RELEASES_DIR" -mindepth 1 -maxdepth 1 -name '.*' -exec rm -rf {} +
  [ "$removed" -eq 0 ] || did "deleted $removed old release(s)"
}

# The password in the installed config's databaseUrl ('' when there is no config).
read_config_password() {
  [ -f "$CONFIG_FILE" ] || return 0
  "$NODE_BIN" -e '
    const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    if (c.databaseUrl) process.stdout.write(decodeURIComponent(new URL(c.databaseUrl).password));
  ' "$CONFIG_FILE"
}

read_config_value() { # dotted key, default
  if [ ! -f "$CONFIG_FILE" ]; then
    printf '%s' "$2"
    return
  fi
  "$NODE_BIN" -e '
    const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const v = process.argv[2].split(".").reduce((o, k) => (o == null ? undefined : o[k]), c);
    process.stdout.write(String(v ?? process.argv[3]));
  ' "$CONFIG_FILE" "$1" "$2"
}

# Writes the config from the template, keeping every key the operator set; only
# databaseUrl and port are ours, plus auth.initialAdminPassword and auth.adminToken
# when TELEMETRICS_ADMIN_PASSWORD / TELEMETRICS_ADMIN_TOKEN are set. Readable by the
# service user alone.
write_config() {
  local database_url=$1 existed=0
  [ -f "$CONFIG_FILE" ] && existed=1
  install -d -m 0750 -o root -g "$APP_USER" "$CONFIG_DIR"
  install -d -m 0755 -o root -g root "$CONFIG_DIR/nginx"
  install -d -m 0700 -o root -g root "$TLS_DIR"
  DEPLOY_CONFIG_FILE=$CONFIG_FILE DEPLOY_TEMPLATE=$TEMPLATES_DIR/config.json DEPLOY_DATABASE_URL=$database_url DEPLOY_PORT=$PORT \
    DEPLOY_ADMIN_PASSWORD=${TELEMETRICS_ADMIN_PASSWORD:-} DEPLOY_ADMIN_TOKEN=${TELEMETRICS_ADMIN_TOKEN:-} "$NODE_BIN" -e '
    const fs = require("fs");
    const { DEPLOY_CONFIG_FILE: file, DEPLOY_TEMPLATE: template, DEPLOY_DATABASE_URL: databaseUrl, DEPLOY_PORT: port } = process.env;
    const { DEPLOY_ADMIN_PASSWORD: adminPassword, DEPLOY_ADMIN_TOKEN: adminToken } = process.env;
    let current = {};
    try {
      current = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
      if (e.code !== "ENOENT") { console.error(`cannot read ${file}: ${e.message}`); process.exit(1); }
    }
    const next = { ...JSON.parse(fs.readFileSync(template, "utf8")), ...current, databaseUrl, port: Number(port) };
    const auth = { ...(next.auth ?? {}) };
    if (adminPassword) auth.initialAdminPassword = adminPassword;
    if (adminToken) auth.adminToken = adminToken;
    if (Object.keys(auth).length > 0) next.auth = auth;
    fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(`${file}.tmp`, file);
  '
  chown "$APP_USER:$APP_USER" "$CONFIG_FILE"
  chmod 0600 "$CONFIG_FILE"
  if [ "$existed" = 1 ]; then did "updated $CONFIG_FILE (databaseUrl, port $PORT; your other settings kept)"; else did "wrote $CONFIG_FILE (readable by $APP_USER only)"; fi
}

install_command() {
  render_template "$TEMPLATES_DIR/telemetrics-command.sh" "$COMMAND_FILE" \
    "NODE=$NODE_BIN" "INSTALL_DIR=$INSTALL_DIR" "CONFIG_FILE=$CONFIG_FILE" "STATE_DIR=$STATE_DIR" "APP_USER=$APP_USER"
  chmod 0755 "$COMMAND_FILE"
}

# Runs the telemetrics command of a release as the service user.
run_telemetrics() {
  local release=$1
  shift
  (cd "$STATE_DIR" && setpriv --reuid="$APP_USER" --regid="$APP_USER" --init-groups -- \
    env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$STATE_DIR" LANG=C.UTF-8 TELEMETRICS_CONFIG="$CONFIG_FILE" \
    "$NODE_BIN" "$RELEASES_DIR/$release/bin/telemetrics.js" "$@")
}

migrate_with() {
  local release=$1 output
  output=$(run_telemetrics "$release" migrate 2>&1) || die "telemetrics migrate failed (nothing was switched): $output"
  did "migrations: $output"
}
