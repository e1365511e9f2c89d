#!/usr/bin/env bash
# A throwaway MariaDB in a folder of its own: no system service, no password
# prompt, loopback only. Used by the launcher, the test command and the tests
# that restart the database.
#
#   mariadb.sh start DIR PORT [MARIADBD OPTION...]
#                               initialise DIR if new, start (with the extra
#                               server options, e.g. --ssl-cert=...), wait
#                               until ready, and make the two accounts
#                               (docs/OPERATIONS.md, "Database accounts"):
#                               kyodo_migrate@127.0.0.1, which migrates (all
#                               privileges WITH GRANT OPTION: local only;
#                               password in DIR/kyodo_migrate.password), and
#                               kyodo@127.0.0.1, which serves: only the role
#                               kyodo_serving, which the migration step grants
#                               data privileges table by table (password in
#                               DIR/kyodo.password)
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
    shift 3
    if running; then echo "mariadb already running in $dir" >&2; exit 0; fi
    # Temporary tables and files in a folder of this server's own, not the
    # /tmp every other server on the machine shares: a test's bootstrap once
    # failed there (`Could not remove temporary table: '/tmp/#sql-temptable-
    # ...'`, then `Unknown table 'mysql.tmp_proxies_priv'`) while other
    # servers ran.
    mkdir -p "$dir/tmp"
    if [[ ! -d "$dir/data/mysql" ]]; then
      mariadb-install-db --no-defaults --datadir="$dir/data" --user="$(id -un)" \
        --tmpdir="$dir/tmp" \
        --auth-root-authentication-method=socket --skip-test-db \
        >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; exit 1; }
    fi
    # setsid: the server must not get the terminal's Ctrl-C before the
    # services it serves have stopped; the caller stops it explicitly.
    setsid mariadbd --no-defaults --datadir="$dir/data" --user="$(id -un)" \
      --socket="$socket" --port="$port" --bind-address=127.0.0.1 --tmpdir="$dir/tmp" \
      --pid-file="$pidfile" --log-error="$dir/mariadbd.err" \
      --skip-name-resolve --max-connections=1000 \
      --innodb-buffer-pool-size=256M --innodb-log-file-size=128M \
      --character-set-server=utf8mb4 --collation-server=utf8mb4_bin "$@" \
      </dev/null >/dev/null 2>&1 &
    for _ in $(seq 1 300); do
      if mariadb-admin --no-defaults --socket="$socket" -u "$(id -un)" ping >/dev/null 2>&1; then
        break
      fi
      sleep 0.1
    done
    mariadb-admin --no-defaults --socket="$socket" -u "$(id -un)" ping >/dev/null 2>&1 || {
      echo "mariadb did not start; see $dir/mariadbd.err" >&2; tail -20 "$dir/mariadbd.err" >&2; exit 1; }
    for account in kyodo kyodo_migrate; do
      if [[ ! -s "$dir/$account.password" ]]; then
        (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$dir/$account.password")
      fi
    done
    password=$(cat "$dir/kyodo.password")
    migrate_password=$(cat "$dir/kyodo_migrate.password")
    # Idempotent: a data folder from before the two accounts had kyodo with
    # every privilege; that is taken back here.
    mariadb --no-defaults --socket="$socket" -u "$(id -un)" <<SQL
CREATE ROLE IF NOT EXISTS kyodo_serving;
CREATE USER IF NOT EXISTS 'kyodo_migrate'@'127.0.0.1' IDENTIFIED BY '$migrate_password';
ALTER USER 'kyodo_migrate'@'127.0.0.1' IDENTIFIED BY '$migrate_password';
GRANT ALL PRIVILEGES ON *.* TO 'kyodo_migrate'@'127.0.0.1' WITH GRANT OPTION;
CREATE USER IF NOT EXISTS 'kyodo'@'127.0.0.1' IDENTIFIED BY '$password';
ALTER USER 'kyodo'@'127.0.0.1' IDENTIFIED BY '$password';
REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'kyodo'@'127.0.0.1';
GRANT kyodo_serving TO 'kyodo'@'127.0.0.1';
SET DEFAULT ROLE kyodo_serving FOR 'kyodo'@'127.0.0.1';
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
