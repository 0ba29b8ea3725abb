#!/usr/bin/env bash
# The hub's topology on this machine, without containers: N dih-dash replicas, the worker
# and HAProxy in front (sticky sessions, websockets, health checks), on the PostgreSQL that
# DIH_DASH_DATABASE_URL names. The same services, settings and health checks as
# deploy/compose.yaml: both read deploy/app.env and deploy/haproxy.cfg.
#
#   deploy/local.sh up [--replicas N] [--port P]   start (default 2 replicas, port 8080);
#                                                  return once everything answers
#   deploy/local.sh down                           stop everything `up` started
#   deploy/local.sh status                         what runs, and whether it answers
#   deploy/local.sh config [--replicas N] [--port P]   print the proxy configuration
#   deploy/local.sh plan [--replicas N] [--port P]     print each process, its settings and
#                                                      health check, without starting any
#
# `up` prints `proxy http://127.0.0.1:P` and one `replica http://127.0.0.1:PORT` line per
# replica (ports P+1 … P+N). State (pids, logs, the generated haproxy.cfg, each replica's
# data folder, the shared folder of saved column mappings) lives in $DIH_DASH_RUN_DIR
# (default /tmp/dih-dash-local).
# Other settings: DIH_DASH_COOKIE_SECRET (generated and kept in the run folder if unset),
# DIH_DASH_BASE_PATH (e.g. /dashboard), DIH_DASH_UP_TIMEOUT (seconds, default 120),
# DIH_DASH_PYTHON (default .venv/bin/python, created with `pip install -e .` if missing),
# and every DIH_DASH_* setting of the app, passed on to the replicas and the worker.
set -euo pipefail

DEPLOY_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$DEPLOY_DIR")"
RUN_DIR="${DIH_DASH_RUN_DIR:-/tmp/dih-dash-local}"
UP_TIMEOUT="${DIH_DASH_UP_TIMEOUT:-120}"
REPLICAS=2
PORT=8080

die() {
  echo "deploy/local.sh: $*" >&2
  exit 1
}

note() {
  echo "deploy/local.sh: $*" >&2
}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
}

parse_options() {
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --replicas) REPLICAS="${2:?--replicas needs a number}"; shift 2 ;;
      --port) PORT="${2:?--port needs a number}"; shift 2 ;;
      -h | --help) usage ;;
      *) die "unknown option $1 (see deploy/local.sh --help)" ;;
    esac
  done
  [[ "$REPLICAS" =~ ^[1-9][0-9]*$ ]] || die "--replicas must be a whole number ≥ 1, got $REPLICAS"
  if ! [[ "$PORT" =~ ^[0-9]+$ ]] || ((PORT < 1024 || PORT + REPLICAS > 65535)); then
    die "--port must leave room for $REPLICAS replica ports above it (1024–65535), got $PORT"
  fi
}

# --- what the topology needs -----------------------------------------------------------------

as_root_install() {
  # Debian's packages, as .ci/run installs its own: only as root, never with sudo prompts.
  if [[ "$(id -u)" != 0 ]]; then
    die "$1 is missing; install it (Debian: apt-get install $2) or run this as root"
  fi
  note "installing $2 with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null
}

find_haproxy() {
  HAPROXY="$(command -v haproxy || true)"
  [[ -n "$HAPROXY" ]] || HAPROXY=/usr/sbin/haproxy
  if [[ ! -x "$HAPROXY" ]]; then
    as_root_install haproxy haproxy
    HAPROXY="$(command -v haproxy || echo /usr/sbin/haproxy)"
  fi
}

find_python() {
  PYTHON="${DIH_DASH_PYTHON:-$ROOT/.venv/bin/python}"
  if [[ ! -x "$PYTHON" ]]; then
    command -v python3 >/dev/null || as_root_install python3 python3
    python3 -m venv --help >/dev/null 2>&1 || as_root_install "python3 -m venv" python3-venv
    note "creating $ROOT/.venv and installing dih-dash into it"
    python3 -m venv "$ROOT/.venv"
    "$ROOT/.venv/bin/pip" install -q -e "$ROOT"
    PYTHON="$ROOT/.venv/bin/python"
  fi
  "$PYTHON" -c "import dih_dash" 2>/dev/null || {
    note "installing dih-dash into $("$PYTHON" -c 'import sys; print(sys.prefix)')"
    "$PYTHON" -m pip install -q -e "$ROOT"
  }
  DIH_DASH_BIN="$(dirname "$PYTHON")/dih-dash"
  [[ -x "$DIH_DASH_BIN" ]] || die "$DIH_DASH_BIN not found: reinstall with pip install -e $ROOT"
}

# deploy/app.env: KEY=VALUE lines; the environment wins, as `environment:` does in compose.
load_app_env() {
  local line key value
  while IFS= read -r line || [[ -n "$line" ]]; do
    [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
    key="${line%%=*}"
    value="${line#*=}"
    [[ "$key" =~ ^[A-Z_][A-Z0-9_]*$ ]] || die "deploy/app.env: cannot read line: $line"
    if [[ -z "${!key+set}" ]]; then
      export "$key=$value"
    fi
  done <"$DEPLOY_DIR/app.env"
}

cookie_secret() {
  if [[ -n "${DIH_DASH_COOKIE_SECRET:-}" ]]; then
    return
  fi
  local file="$RUN_DIR/cookie-secret"
  if [[ ! -s "$file" ]]; then
    (umask 077 && "$PYTHON" -c "import secrets; print(secrets.token_urlsafe(32))" >"$file")
  fi
  DIH_DASH_COOKIE_SECRET="$(cat "$file")"
  export DIH_DASH_COOKIE_SECRET
}

# Shared by replicas, worker and proxy: the same variables compose.yaml sets.
topology_env() {
  local base="${DIH_DASH_BASE_PATH:-}"
  base="${base%/}"
  [[ -z "$base" || "$base" == /* ]] || base="/$base"
  export STREAMLIT_SERVER_BASE_URL_PATH="$base"
  export STREAMLIT_SERVER_COOKIE_SECRET="$DIH_DASH_COOKIE_SECRET"
  export DIH_DASH_HEALTH_PATH="$base/_stcore/health"
  export DIH_DASH_PROXY_BIND="127.0.0.1:$PORT"
  # Saved column mappings are files: one folder for every replica (compose: a volume).
  export DIH_DASH_MAPPINGS_DIR="${DIH_DASH_MAPPINGS_DIR:-$RUN_DIR/mappings}"
}

replica_port() {
  echo $((PORT + $1))
}

# --- the processes ---------------------------------------------------------------------------

# A process's own settings and its command, one word per line: `up` reads them into arrays
# (no word splitting, so paths may hold spaces), `plan` prints them.
replica_settings() {
  echo "DIH_DASH_DATA_DIR=$RUN_DIR/replica-$1/data"
}

replica_command() {
  printf '%s\n' "$DIH_DASH_BIN" serve --port "$(replica_port "$1")" --address 127.0.0.1
}

worker_settings() {
  echo "DIH_DASH_DATA_DIR=$RUN_DIR/worker/data"
}

worker_command() {
  printf '%s\n' "$DIH_DASH_BIN" worker
}

proxy_command() {
  printf '%s\n' "$HAPROXY" -f "$RUN_DIR/haproxy.cfg"
}

# The words on standard input as one shell-quoted line.
one_line() {
  local words=()
  mapfile -t words
  echo "${words[*]@Q}"
}

# deploy/haproxy.cfg with its servers block holding the local replicas; the rest unchanged.
proxy_config() {
  local in_block=0 line i
  while IFS= read -r line || [[ -n "$line" ]]; do
    if [[ "$line" =~ ^[[:space:]]*#\ BEGIN\ servers ]]; then
      echo "$line"
      for ((i = 1; i <= REPLICAS; i++)); do
        echo "    server app$i 127.0.0.1:$(replica_port "$i")"
      done
      in_block=1
      continue
    fi
    if [[ "$line" =~ ^[[:space:]]*#\ END\ servers ]]; then
      in_block=0
    fi
    ((in_block)) || echo "$line"
  done <"$DEPLOY_DIR/haproxy.cfg"
}

shared_settings() {
  local key
  while IFS= read -r key; do
    echo "$key=${!key}"
  done < <(grep -oE '^[A-Z_][A-Z0-9_]*' "$DEPLOY_DIR/app.env")
  echo "STREAMLIT_SERVER_BASE_URL_PATH=$STREAMLIT_SERVER_BASE_URL_PATH"
  echo "DIH_DASH_MAPPINGS_DIR=$DIH_DASH_MAPPINGS_DIR"
  # Never the value: `plan` output may end up in a log.
  echo "STREAMLIT_SERVER_COOKIE_SECRET=(set)"
  echo "DIH_DASH_DATABASE_URL=(set)"
}

plan() {
  local i
  for ((i = 1; i <= REPLICAS; i++)); do
    echo "process replica-$i app"
    shared_settings | sed 's/^/env /'
    replica_settings "$i" | sed 's/^/env /'
    echo "command $(replica_command "$i" | one_line)"
    echo "health http://127.0.0.1:$(replica_port "$i")$DIH_DASH_HEALTH_PATH"
  done
  echo "process worker worker"
  shared_settings | sed 's/^/env /'
  worker_settings | sed 's/^/env /'
  echo "command $(worker_command | one_line)"
  echo "process proxy proxy"
  echo "env DIH_DASH_PROXY_BIND=$DIH_DASH_PROXY_BIND"
  echo "env DIH_DASH_COOKIE_SECRET=(set)"
  echo "env DIH_DASH_HEALTH_PATH=$DIH_DASH_HEALTH_PATH"
  echo "command $(proxy_command | one_line)"
  echo "health http://127.0.0.1:$PORT$DIH_DASH_HEALTH_PATH"
}

# Started in a session (process group) of its own, so `down` stops `dih-dash serve` and the
# Streamlit process it starts together.
start() {
  local name="$1"
  shift
  setsid "$@" >"$RUN_DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/$name.pid"
}

alive() {
  local pid
  pid="$(cat "$1" 2>/dev/null)" || return 1
  kill -0 "$pid" 2>/dev/null
}

port_free() {
  "$PYTHON" - "$1" <<'PY'
import socket, sys
with socket.socket() as s:
    # As the servers bind: a closed connection's TIME_WAIT does not make the port taken.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", int(sys.argv[1])))
    except OSError:
        sys.exit(1)
PY
}

healthy() {
  "$PYTHON" "$DEPLOY_DIR/healthcheck.py" "$1"
}

check_database() {
  [[ -n "${DIH_DASH_DATABASE_URL:-}" ]] \
    || die "set DIH_DASH_DATABASE_URL to the PostgreSQL the replicas share, e.g. postgresql+psycopg://dih:PASSWORD@127.0.0.1:5432/dih"
  case "$DIH_DASH_DATABASE_URL" in
    postgresql*) ;;
    *) note "DIH_DASH_DATABASE_URL is not PostgreSQL: replicas on other machines could not share it" ;;
  esac
  "$PYTHON" - <<'PY' || die "cannot connect to DIH_DASH_DATABASE_URL (see the error above)"
import os, sys
from sqlalchemy import create_engine
url = os.environ["DIH_DASH_DATABASE_URL"]
if url.startswith(("postgresql://", "postgres://")):  # dih-dash reads these with psycopg 3
    url = "postgresql+psycopg://" + url.split("://", 1)[1]
try:
    create_engine(url).connect().close()
except Exception as exc:
    print(f"database: {type(exc).__name__}: {str(exc).splitlines()[0]}", file=sys.stderr)
    sys.exit(1)
PY
}

show_log() {
  echo "--- last lines of $RUN_DIR/$1.log ---" >&2
  tail -n 25 "$RUN_DIR/$1.log" >&2 || true
}

up() {
  mkdir -p "$RUN_DIR"
  local pidfile
  for pidfile in "$RUN_DIR"/*.pid; do
    [[ -e "$pidfile" ]] || continue
    if alive "$pidfile"; then
      die "already up ($(basename "$pidfile" .pid) runs, state in $RUN_DIR): deploy/local.sh down first"
    fi
    rm -f "$pidfile"
  done
  local i port
  for ((i = 0; i <= REPLICAS; i++)); do
    port=$((PORT + i))
    port_free "$port" || die "port $port on 127.0.0.1 is taken (the proxy uses --port, replicas the next $REPLICAS)"
  done
  check_database

  proxy_config >"$RUN_DIR/haproxy.cfg"
  "$HAPROXY" -c -q -f "$RUN_DIR/haproxy.cfg" || die "HAProxy refuses $RUN_DIR/haproxy.cfg"

  mkdir -p "$DIH_DASH_MAPPINGS_DIR"
  local names=() settings=() command=()
  for ((i = 1; i <= REPLICAS; i++)); do
    mkdir -p "$RUN_DIR/replica-$i/data"
    mapfile -t settings < <(replica_settings "$i")
    mapfile -t command < <(replica_command "$i")
    start "replica-$i" env "${settings[@]}" "${command[@]}"
    names+=("replica-$i")
  done
  if "$DIH_DASH_BIN" worker --help >/dev/null 2>&1; then
    mkdir -p "$RUN_DIR/worker/data"
    mapfile -t settings < <(worker_settings)
    mapfile -t command < <(worker_command)
    start worker env "${settings[@]}" "${command[@]}"
    names+=(worker)
  else
    note "this dih-dash has no 'worker' command: no scheduled refresh (started everything else)"
  fi

  # The proxy last: its servers start as up, so it should only see replicas that answer.
  local deadline=$((SECONDS + UP_TIMEOUT)) pending name
  while :; do
    pending=()
    for name in "${names[@]}"; do
      if ! alive "$RUN_DIR/$name.pid"; then
        show_log "$name"
        down >/dev/null
        die "$name exited during start-up (log above)"
      fi
    done
    for ((i = 1; i <= REPLICAS; i++)); do
      healthy "http://127.0.0.1:$(replica_port "$i")" || pending+=("replica-$i")
    done
    ((${#pending[@]} == 0)) && break
    if ((SECONDS >= deadline)); then
      for name in "${pending[@]}"; do show_log "$name"; done
      down >/dev/null
      die "no answer on ${DIH_DASH_HEALTH_PATH} within ${UP_TIMEOUT} s from: ${pending[*]} (stopped everything)"
    fi
    sleep 0.5
  done

  mapfile -t command < <(proxy_command)
  start proxy "${command[@]}"
  until healthy "http://127.0.0.1:$PORT"; do
    if ! alive "$RUN_DIR/proxy.pid" || ((SECONDS >= deadline)); then
      show_log proxy
      down >/dev/null
      die "the proxy did not answer on 127.0.0.1:$PORT${DIH_DASH_HEALTH_PATH} (stopped everything)"
    fi
    sleep 0.3
  done

  {
    echo "proxy http://127.0.0.1:$PORT$STREAMLIT_SERVER_BASE_URL_PATH"
    for ((i = 1; i <= REPLICAS; i++)); do
      echo "replica http://127.0.0.1:$(replica_port "$i")$STREAMLIT_SERVER_BASE_URL_PATH"
    done
  } | tee "$RUN_DIR/endpoints"
}

down() {
  local pidfile pid stopped=0
  local pids=()
  for pidfile in "$RUN_DIR"/*.pid; do
    [[ -e "$pidfile" ]] || continue
    pid="$(cat "$pidfile")"
    # Each process leads its own group (see start): the group holds its children too.
    if kill -TERM -- "-$pid" 2>/dev/null; then
      pids+=("$pid")
      stopped=$((stopped + 1))
    fi
    rm -f "$pidfile"
  done
  local deadline=$((SECONDS + 15)) left
  while ((${#pids[@]})); do
    left=()
    for pid in "${pids[@]}"; do
      kill -0 -- "-$pid" 2>/dev/null && left+=("$pid")
    done
    pids=("${left[@]+"${left[@]}"}")
    ((${#pids[@]})) || break
    if ((SECONDS >= deadline)); then
      for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
      break
    fi
    sleep 0.2
  done
  rm -f "$RUN_DIR/endpoints"
  echo "stopped $stopped process groups (state kept in $RUN_DIR)"
}

status() {
  local pidfile name
  local found=0
  for pidfile in "$RUN_DIR"/*.pid; do
    [[ -e "$pidfile" ]] || continue
    found=1
    name="$(basename "$pidfile" .pid)"
    if alive "$pidfile"; then echo "$name running (pid $(cat "$pidfile"))"; else echo "$name stopped"; fi
  done
  ((found)) || echo "nothing started from $RUN_DIR"
  [[ -f "$RUN_DIR/endpoints" ]] || return 0
  local role url python="${DIH_DASH_PYTHON:-$ROOT/.venv/bin/python}"
  [[ -x "$python" ]] || python=python3
  while read -r role url; do
    if STREAMLIT_SERVER_BASE_URL_PATH="" "$python" "$DEPLOY_DIR/healthcheck.py" "$url"; then
      echo "$role $url answers"
    else
      echo "$role $url does not answer"
    fi
  done <"$RUN_DIR/endpoints"
}

main() {
  local action="${1:-}"
  [[ -n "$action" ]] || usage
  shift
  case "$action" in
    up | config | plan)
      parse_options "$@"
      mkdir -p "$RUN_DIR"
      find_haproxy
      find_python
      load_app_env
      cookie_secret
      topology_env
      case "$action" in
        up) up ;;
        config) proxy_config ;;
        plan) plan ;;
      esac
      ;;
    down) down ;;
    status) status ;;
    -h | --help | help) usage ;;
    *) die "unknown action $action (up, down, status, config, plan)" ;;
  esac
}

main "$@"
