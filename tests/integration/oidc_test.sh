#!/usr/bin/env bash
# Sign-in end to end: deploy/local/start.sh brings the suite up with its
# local OpenID provider, then oidc_test.mjs (node) signs people in with
# authorization code + PKCE and with kyodoctl's device flow, calls the suite
# through the gateway with their tokens, checks what must be refused, and
# rotates the provider's keys under running services.
#   oidc_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1
build=$2
work=$(mktemp -d -t kyodo-oidc.XXXXXX)
# shellcheck source=../testing/launcher.sh
source "$src/tests/testing/launcher.sh"
launcher_pid=
cleanup() {
  launcher_stop
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "--- launcher output" >&2; cat "$work/out" >&2; exit 1; }

launcher_start "$src" "$build" "$work" 26000 240

KYODO_ISSUER=http://127.0.0.1:$((base + 7)) KYODO_DATA=$work/data \
KYODOCTL=$build/kyodoctl/kyodoctl KYODO_GATEWAY=127.0.0.1:$base \
KYODO_HTTP=http://127.0.0.1:$((base + 4)) \
KYODO_BUILD=$build KYODO_SRC=$src KYODO_DB_PORT=$((base + 6)) \
KYODO_PROD_PORT=$((base + 8)) \
  node "$src/tests/integration/oidc_test.mjs" || fail "oidc_test.mjs"
echo PASS
