#!/bin/sh
# Initialises the data folder on first start, then runs mariadbd in the
# foreground (as PID 1's only child: SIGTERM shuts it down cleanly). At every
# start an init file creates or updates kyodo's two accounts from their
# password files (docs/OPERATIONS.md, "Database accounts"), so rotating a
# password is: change the secret, restart.
#   KYODO_DB_USER (kyodo), KYODO_DB_PASSWORD_FILE: the serving account, whose
#     only privilege is the role kyodo_serving (granted table by table by the
#     migration step: data statements, the audit trail append-only)
#   KYODO_DB_MIGRATE_USER (kyodo_migrate), KYODO_DB_MIGRATE_PASSWORD_FILE: the
#     migrating account: every privilege on the kyodo_* databases, with GRANT
#     OPTION to grant the role
set -eu
user=${KYODO_DB_USER:-kyodo}
password_file=${KYODO_DB_PASSWORD_FILE:?KYODO_DB_PASSWORD_FILE must name the password file}
migrate_user=${KYODO_DB_MIGRATE_USER:-kyodo_migrate}
migrate_password_file=${KYODO_DB_MIGRATE_PASSWORD_FILE:?KYODO_DB_MIGRATE_PASSWORD_FILE must name the password file}
datadir=/var/lib/mysql
if [ ! -d "$datadir/mysql" ]; then
  mariadb-install-db --no-defaults --datadir="$datadir" --auth-root-authentication-method=socket \
    --skip-test-db >/dev/null
fi
# Quote for SQL: backslashes and single quotes.
quote() { sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g" "$1"; }
password=$(quote "$password_file")
migrate_password=$(quote "$migrate_password_file")
# Socket, pid and init file in /tmp: writable by this unprivileged user
# under a read-only root (a tmpfs in compose, an emptyDir in Kubernetes).
run=/tmp
init=$run/init.sql
umask 077
cat >"$init" <<SQL
CREATE ROLE IF NOT EXISTS kyodo_serving;
CREATE USER IF NOT EXISTS '$migrate_user'@'%' IDENTIFIED BY '$migrate_password';
ALTER USER '$migrate_user'@'%' IDENTIFIED BY '$migrate_password';
GRANT ALL PRIVILEGES ON \`kyodo\_%\`.* TO '$migrate_user'@'%' WITH GRANT OPTION;
CREATE USER IF NOT EXISTS '$user'@'%' IDENTIFIED BY '$password';
ALTER USER '$user'@'%' IDENTIFIED BY '$password';
REVOKE ALL PRIVILEGES, GRANT OPTION FROM '$user'@'%';
-- GRANT <role> TO and SET DEFAULT ROLE are refused in an init file (its
-- statements run with no current user, which holds no admin option on the
-- role: "Access denied for user ''@''"), so the role mapping and the default
-- role are written to the grant tables directly.
INSERT IGNORE INTO mysql.roles_mapping (Host, User, Role, Admin_option)
  VALUES ('%', '$user', 'kyodo_serving', 'N');
UPDATE mysql.global_priv SET Priv = JSON_SET(Priv, '\$.default_role', 'kyodo_serving')
  WHERE User = '$user' AND Host = '%';
FLUSH PRIVILEGES;
SQL
exec mariadbd --no-defaults --datadir="$datadir" --socket="$run/mysqld.sock" \
  --pid-file="$run/mysqld.pid" --port=3306 --bind-address=0.0.0.0 \
  --skip-name-resolve --init-file="$init" --max-connections=500 \
  --character-set-server=utf8mb4 --collation-server=utf8mb4_bin \
  --innodb-buffer-pool-size=256M "$@"
