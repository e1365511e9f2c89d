#!/usr/bin/env bash
# deploy/local/idp/run.sh puts idp.js beside the provider's packages only
# when it changed, and by rename: a provider started earlier from the same
# folder may be reading the old file at that moment, and must read all of
# it (a copy in place once truncated it under a starting provider, which
# ran the empty file and exited without a word). Offline: the packages'
# install is recorded as done, so run.sh installs nothing and its node exits
# on the first missing import, which this test does not need.
#   tests/deploy/idp_install_test.sh [SOURCE_DIR]
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
idp=$root/deploy/local/idp
dir=$(mktemp -d -t kyodo-idp-install.XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
mkdir -p "$dir/node_modules"
cp "$idp/package-lock.json" "$dir/node_modules/.kyodo-package-lock.json"
run() { KYODO_SKIP_APT=1 "$idp/run.sh" "$dir" usage >/dev/null 2>&1 || true; }

run
cmp -s "$idp/idp.js" "$dir/idp.js" || fail "idp.js is not installed"
cmp -s "$idp/accounts.json" "$dir/accounts.json" || fail "accounts.json is not installed"
inode=$(stat -c %i "$dir/idp.js")
run
[[ $(stat -c %i "$dir/idp.js") == "$inode" ]] || fail "an unchanged idp.js was written again"

# An older idp.js, held open as a provider reading it would hold it.
printf '// an older idp.js\n' >"$dir/idp.js"
exec 3<"$dir/idp.js"
run
cmp -s "$idp/idp.js" "$dir/idp.js" || fail "a changed idp.js was not replaced"
[[ $(cat <&3) == "// an older idp.js" ]] || fail "idp.js was rewritten under a reader"
exec 3<&-
for left in "$dir"/.idp.js.* "$dir"/.accounts.json.*; do
  [[ -e "$left" ]] && fail "a temporary copy was left behind: $left"
done
echo PASS
