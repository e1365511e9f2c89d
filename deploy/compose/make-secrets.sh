#!/usr/bin/env bash
# Makes the secret files of the compose stack, once (existing files are
# kept): the passwords of the two MariaDB accounts (serving, migrating), the
# JWT signing key, the page-token key, and
# the gateway's own tokens, minted by kyodoctl from the image: its screening
# credential (role screener, one year) and the public surface's (role
# viewer, one year: the published results for readers who never sign in);
# and the notifier's (role notifier, one year).
#
#   deploy/compose/make-secrets.sh [DIR]     (default: deploy/compose/secrets)
#
# Environment: KYODO_IMAGE (localhost/kyodo:dev), KYODO_JWT_ISSUER
# (kyodo-compose, as in kyodo.env), KYODO_CONTAINER_ENGINE (podman; docker
# works too). The folder is private to its owner; the files in it are
# world-readable so that the containers' unprivileged users can read them
# through their bind mounts.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-${KYODO_SECRETS_DIR:-$here/secrets}}
image=${KYODO_IMAGE:-localhost/kyodo:dev}
issuer=${KYODO_JWT_ISSUER:-kyodo-compose}
engine=${KYODO_CONTAINER_ENGINE:-podman}
mkdir -p "$dir"
chmod 700 "$dir"
dir=$(cd "$dir" && pwd)

random() {  # random FILE BYTES
  if [[ ! -s "$1" ]]; then head -c "$2" /dev/urandom | base64 | tr -d '/+=\n' >"$1"; fi
  chmod 444 "$1"
}
random "$dir/db_password" 24
random "$dir/db_migrate_password" 24
random "$dir/jwt.key" 48
random "$dir/page_token.key" 48
if [[ ! -s "$dir/gateway.token" ]]; then
  "$engine" run --rm --network none -v "$dir/jwt.key:/run/secrets/jwt_key:ro" "$image" \
    kyodoctl token --role=screener --sub=gateway --ttl=8760h \
    --jwt_key_file=/run/secrets/jwt_key --jwt_issuer="$issuer" >"$dir/gateway.token.new"
  mv "$dir/gateway.token.new" "$dir/gateway.token"
fi
chmod 444 "$dir/gateway.token"
if [[ ! -s "$dir/public.token" ]]; then
  "$engine" run --rm --network none -v "$dir/jwt.key:/run/secrets/jwt_key:ro" "$image" \
    kyodoctl token --role=viewer --sub=kyodo-public --ttl=8760h \
    --jwt_key_file=/run/secrets/jwt_key --jwt_issuer="$issuer" >"$dir/public.token.new"
  mv "$dir/public.token.new" "$dir/public.token"
fi
chmod 444 "$dir/public.token"
# The notifier's credential (role notifier, one year): proposal-service's
# feed and the addresses it mails, nothing else (docs/OPERATIONS.md, "Mail").
if [[ ! -s "$dir/notifier.token" ]]; then
  "$engine" run --rm --network none -v "$dir/jwt.key:/run/secrets/jwt_key:ro" "$image" \
    kyodoctl token --role=notifier --sub=kyodo-notifier --ttl=8760h \
    --jwt_key_file=/run/secrets/jwt_key --jwt_issuer="$issuer" >"$dir/notifier.token.new"
  mv "$dir/notifier.token.new" "$dir/notifier.token"
fi
chmod 444 "$dir/notifier.token"
