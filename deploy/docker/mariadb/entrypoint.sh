#!/bin/sh
# Initialises the data folder on first start, then runs mariadbd in the
# foreground (as PID 1's only child: SIGTERM shuts it down cleanly). At every
# start an init file creates or updates the kyodo user from the password file,
# so rotating the password is: change the secret, restart.
set -eu
user=${KYODO_DB_USER:-kyodo}
password_file=${KYODO_DB_PASSWORD_FILE:?KYODO_DB_PASSWORD_FILE must name the password file}
datadir=/var/lib/mysql
if [ ! -d "$datadir/mysql" ]; then
  mariadb-install-db --no-defaults --datadir="$datadir" --auth-root-authentication-method=socket \
    --skip-test-db >/dev/null
fi
# Quote for SQL: backslashes and single quotes.
password=$(sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g" "$password_file")
# Socket, pid and init file in /tmp: writable by this unprivileged user
# under a read-only root (a tmpfs in compose, an emptyDir in Kubernetes).
run=/tmp
init=$run/init.sql
umask 077
cat >"$init" <<SQL
CREATE USER IF NOT EXISTS '$user'@'%' IDENTIFIED BY '$password';
ALTER USER '$user'@'%' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON \`kyodo\_%\`.* TO '$user'@'%';
SQL
exec mariadbd --no-defaults --datadir="$datadir" --socket="$run/mysqld.sock" \
  --pid-file="$run/mysqld.pid" --port=3306 --bind-address=0.0.0.0 \
  --skip-name-resolve --init-file="$init" --max-connections=500 \
  --character-set-server=utf8mb4 --collation-server=utf8mb4_bin \
  --innodb-buffer-pool-size=256M "$@"
