#!/usr/bin/env bash
# A throwaway MariaDB in a folder of its own: no system service, no password
# prompt, loopback only. Used by the launcher, the test command and the tests
# that restart the database.
#
#   mariadb.sh start DIR PORT   initialise DIR if new, start, wait until ready;
#                               DIR/kyodo.password holds the password of user
#                               kyodo@127.0.0.1 (all privileges: local only)
#   mariadb.sh stop DIR         stop and wait until the server has exited
#   mariadb.sh status DIR       exit 0 when running
set -euo pipefail

cmd=${1:-}
dir=${2:-}
[[ -n "$cmd" && -n "$dir" ]] || { echo "usage: $0 start DIR PORT | stop DIR | status DIR" >&2; exit 2; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
pidfile="$dir/mariadbd.pid"
socket="$dir/mariadbd.sock"

running() {
  [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

case "$cmd" in
  start)
    port=${3:?port required}
    if running; then echo "mariadb already running in $dir" >&2; exit 0; fi
    if [[ ! -d "$dir/data/mysql" ]]; then
      mariadb-install-db --no-defaults --datadir="$dir/data" --user="$(id -un)" \
        --auth-root-authentication-method=socket --skip-test-db \
        >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; exit 1; }
    fi
    # setsid: the server must not get the terminal's Ctrl-C before the
    # services it serves have stopped; the caller stops it explicitly.
    setsid mariadbd --no-defaults --datadir="$dir/data" --user="$(id -un)" \
      --socket="$socket" --port="$port" --bind-address=127.0.0.1 \
      --pid-file="$pidfile" --log-error="$dir/mariadbd.err" \
      --skip-name-resolve --max-connections=1000 \
      --innodb-buffer-pool-size=256M --innodb-log-file-size=128M \
      --character-set-server=utf8mb4 --collation-server=utf8mb4_bin \
      </dev/null >/dev/null 2>&1 &
    for _ in $(seq 1 300); do
      if mariadb-admin --no-defaults --socket="$socket" -u "$(id -un)" ping >/dev/null 2>&1; then
        break
      fi
      sleep 0.1
    done
    mariadb-admin --no-defaults --socket="$socket" -u "$(id -un)" ping >/dev/null 2>&1 || {
      echo "mariadb did not start; see $dir/mariadbd.err" >&2; tail -20 "$dir/mariadbd.err" >&2; exit 1; }
    if [[ ! -s "$dir/kyodo.password" ]]; then
      (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$dir/kyodo.password")
    fi
    password=$(cat "$dir/kyodo.password")
    mariadb --no-defaults --socket="$socket" -u "$(id -un)" <<SQL
CREATE USER IF NOT EXISTS 'kyodo'@'127.0.0.1' IDENTIFIED BY '$password';
ALTER USER 'kyodo'@'127.0.0.1' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON *.* TO 'kyodo'@'127.0.0.1';
SQL
    ;;
  stop)
    if running; then
      pid=$(cat "$pidfile")
      kill "$pid"
      for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi
    fi
    ;;
  status)
    running
    ;;
  *)
    echo "unknown command $cmd" >&2; exit 2 ;;
esac
