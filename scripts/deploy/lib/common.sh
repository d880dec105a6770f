# shellcheck shell=bash disable=SC2016 # node -e scripts are single-quoted on purpose
# deploy.sh helpers: messages, the summary, confirmation, the install state file,
# template rendering and HTTP checks. Sourced by scripts/deploy.sh only.

SUMMARY=()

say() { printf 'deploy.sh: %s\n' "$*"; }
warn() { printf 'deploy.sh: WARNING: %s\n' "$*" >&2; }
# Records one line for the closing summary and shows it now.
did() {
  SUMMARY+=("$*")
  say "$*"
}
die() {
  printf 'ERROR: %s\n' "$*" >&2
  exit 1
}
# Usage errors exit 2, as the reference's deploy.sh did; a missing -H shows the whole usage.
die_usage() {
  printf 'ERROR: %s\n' "$*" >&2
  if [ "$*" = 'Missing required -H option' ]; then usage >&2; else printf 'Run deploy.sh -h for the options.\n' >&2; fi
  exit 2
}

print_summary() {
  local title=$1 line
  printf '\n%s\n' "$title"
  if [ ${#SUMMARY[@]} -eq 0 ]; then
    printf '  (nothing)\n'
    return
  fi
  for line in "${SUMMARY[@]}"; do printf '  - %s\n' "$line"; done
}

# Asks before destroying something; --yes (or TELEMETRICS_DEPLOY_YES=1) answers for the operator.
confirm() {
  local question=$1 answer
  [ "$ASSUME_YES" = 1 ] && return 0
  if [ ! -t 0 ]; then
    die "$question needs a confirmation: pass --yes (or set TELEMETRICS_DEPLOY_YES=1) when not running in a terminal"
  fi
  read -r -p "$question Type \"yes\" to continue: " answer
  [ "$answer" = yes ] || die "cancelled; nothing was changed"
}

# The install state file: KEY=VALUE lines that uninstall reads back.
state_get() {
  [ -f "$STATE_FILE" ] || return 0
  sed -n "s/^$1=//p" "$STATE_FILE" | tail -n 1
}
state_set() {
  mkdir -p "$(dirname "$STATE_FILE")"
  touch "$STATE_FILE"
  local rest
  rest=$(grep -v "^$1=" "$STATE_FILE" || true)
  printf '%s\n%s=%s\n' "$rest" "$1" "$2" | sed '/^$/d' >"$STATE_FILE.tmp"
  mv -f "$STATE_FILE.tmp" "$STATE_FILE"
}

# Copies a template, replacing @NAME@ by the value of each NAME=value argument. Lines that
# start with `#@FLAG ` are kept (without the marker) when FLAG=1 is given, dropped otherwise.
render_template() {
  local template=$1 target=$2 text line out='' pair name value
  shift 2
  text=$(<"$template")
  declare -A flags=()
  for pair in "$@"; do
    name=${pair%%=*}
    value=${pair#*=}
    flags[$name]=$value
    text=${text//@${name}@/$value}
  done
  while IFS= read -r line || [ -n "$line" ]; do
    while [[ $line =~ ^([[:space:]]*)#@([A-Z_0-9]+)\ (.*)$ ]]; do
      if [ "${flags[${BASH_REMATCH[2]}]:-0}" != 1 ]; then
        continue 2
      fi
      line="${BASH_REMATCH[1]}${BASH_REMATCH[3]}"
    done
    out+="$line"$'\n'
  done <<<"$text"
  if grep -qE '@[A-Z_0-9]+@' <<<"$out"; then
    die "template $template has a placeholder with no value: $(grep -oE '@[A-Z_0-9]+@' <<<"$out" | head -n 1)"
  fi
  printf '%s' "$out" >"$target.tmp"
  mv -f "$target.tmp" "$target"
}

# Prints "STATUS BODY" of a GET (status 000 when there is no answer). Node is there: no curl needed.
http_get() {
  "$NODE_BIN" -e '
    const [url, host] = process.argv.slice(1);
    const req = require("http").get(url, { headers: host ? { Host: host } : {}, timeout: 3000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => process.stdout.write(`${res.statusCode} ${body.replace(/\s+/g, " ").slice(0, 300)}`));
    });
    req.on("timeout", () => req.destroy(new Error("no answer within 3 s")));
    req.on("error", (e) => process.stdout.write(`000 ${e.message}`));
  ' "$1" "${2:-}"
}

# Succeeds once GET url answers 200, polling every half second for at most $2 seconds.
wait_for_200() {
  local url=$1 timeout=$2 host=${3:-} answer deadline
  deadline=$((SECONDS + timeout))
  while :; do
    answer=$(http_get "$url" "$host")
    [ "${answer%% *}" = 200 ] && return 0
    LAST_ANSWER=$answer
    [ "$SECONDS" -ge "$deadline" ] && return 1
    if declare -F server_process_gone >/dev/null && server_process_gone; then
      LAST_ANSWER="the server process exited"
      return 1
    fi
    sleep 0.5
  done
}
