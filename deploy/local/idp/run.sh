#!/usr/bin/env bash
# Runs the local OpenID provider (idp.js) with its pinned npm dependencies
# (package-lock.json, installed with `npm ci` into DIR the first time and
# whenever the lock changes: deploy/local/npm-ci.sh), e.g.
#   deploy/local/idp/run.sh build/idp serve --state .local/idp --port 50057
#   deploy/local/idp/run.sh build/idp rotate --state .local/idp
# Installs Debian's nodejs and npm when node is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$1
shift
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  [[ "${KYODO_SKIP_APT:-0}" == 1 ]] && { echo "idp: node and npm are needed" >&2; exit 1; }
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
# One installer at a time (tests may start several providers at once).
exec 9>"$dir/.lock"
flock 9
"$here/../npm-ci.sh" "$here" "$dir" --ignore-scripts
# Beside its node_modules, where node resolves its imports. Only when
# changed, and by rename, never rewritten in place: providers started from
# this folder earlier may be reading it right now (a copy in place once
# truncated idp.js under a starting provider, which ran the empty file and
# exited 0 without a word, failing a test that started a suite beside
# another test's key rotation).
for file in idp.js accounts.json; do
  if ! cmp -s "$here/$file" "$dir/$file"; then
    cp "$here/$file" "$dir/.$file.$$"
    mv -f "$dir/.$file.$$" "$dir/$file"
  fi
done
flock -u 9
exec 9>&-
exec node "$dir/idp.js" "$@"
