#!/usr/bin/env bash
# The web console in a real browser: starts the suite with
# deploy/local/start.sh (the console served by the gateway, the local
# OpenID provider), then walk.mjs drives Debian's chromium through a whole
# selection round with puppeteer-core, with axe-core and the secrecy checks
# (see walk.mjs). Screenshots go to BUILD_DIR/web-test/shots.
#   run.sh SOURCE_DIR BUILD_DIR
# Installs chromium and fonts-noto-cjk (Japanese glyphs) with apt-get when
# missing (KYODO_SKIP_APT=1: never); npm packages from the committed
# package-lock.json, into the build folder.
set -euo pipefail
src=$1
build=$2
here=$src/tests/web
work=$build/web-test
mkdir -p "$work"

missing=()
command -v chromium >/dev/null || missing+=(chromium)
[[ -d /usr/share/fonts/opentype/noto ]] || missing+=(fonts-noto-cjk)
if ((${#missing[@]})); then
  [[ "${KYODO_SKIP_APT:-0}" == 1 ]] && { echo "web test: needs ${missing[*]}" >&2; exit 1; }
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
exec 9>"$work/.lock"
flock 9
"$src/deploy/local/npm-ci.sh" "$here" "$work" --ignore-scripts
cp "$here/walk.mjs" "$work/"
# The console of these sources (quick when the lock and sources are unchanged
# apart from the bundle step).
"$src/web/build.sh" "$build"

tmp=$(mktemp -d -t kyodo-web.XXXXXX)
# shellcheck source=../../tests/testing/launcher.sh
source "$src/tests/testing/launcher.sh"
launcher_pid=
cleanup() {
  launcher_stop
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "--- launcher output" >&2; cat "$tmp/out" >&2; exit 1; }

launcher_start "$src" "$build" "$tmp" 23000 240
grep -q "web console" "$tmp/out" || fail "the launcher does not serve the console"

rm -rf "$work/shots"
KYODO_CONSOLE=http://127.0.0.1:$((base + 4)) KYODO_SHOTS=$work/shots \
KYODO_PASSWORD=$(cat "$tmp/data/idp/demo-password") \
  node "$work/walk.mjs" || fail "walk.mjs (screenshots in $work/shots)"
echo PASS
