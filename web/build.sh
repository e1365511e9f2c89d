#!/usr/bin/env bash
# Builds kyodo's ward-office web console (docs/CONSOLE.md) into
# BUILD_DIR/web/dist, the folder the gateway serves at / of its HTTP entry
# (--http_console_dir):
#   1. npm ci of web/package-lock.json into BUILD_DIR/web (only when the
#      lock changed: Preact, oidc-client-ts, the Connect client, protoc-gen-es,
#      esbuild and TypeScript, all at build time only);
#   2. the clients, generated from protos/kyodo by protoc-gen-es (as
#      tests/gateway/http/client/run.sh does), into BUILD_DIR/web/src/gen;
#   3. a type check (tsc --noEmit) and one bundle with esbuild (minified,
#      content-hashed names, so browsers keep them; index.html is rewritten
#      to name them); the build fails when the bundle is over 250 KB gzip.
# Nothing generated or installed goes into the source tree.
#   web/build.sh [BUILD_DIR]      (default: $KYODO_BUILD_DIR or build/)
# Environment: KYODO_SKIP_APT=1 to never call apt-get (node and npm come
# from Debian's nodejs and npm when missing).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${1:-${KYODO_BUILD_DIR:-$root/build}}
mkdir -p "$build"
build=$(cd "$build" && pwd)
work=$build/web

if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  [[ "${KYODO_SKIP_APT:-0}" == 1 ]] && { echo "web: node and npm are needed" >&2; exit 1; }
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

mkdir -p "$work"
# One builder at a time (the launcher and tests may build at once).
exec 9>"$work/.lock"
flock 9
"$root/deploy/local/npm-ci.sh" "$here" "$work" --ignore-scripts

rm -rf "$work/src" "$work/dist.new"
cp -r "$here/src" "$work/src"
cp "$here/tsconfig.json" "$work/"
googleapis=/usr/share/gocode/src/github.com/gogo/googleapis
mapfile -t protos < <(cd "$root/protos" && find kyodo -name '*.proto' | sort)
mkdir -p "$work/src/gen"
protoc --plugin=protoc-gen-es="$work/node_modules/.bin/protoc-gen-es" \
  --es_out="$work/src/gen" --es_opt=target=ts,import_extension=js \
  -I "$root/protos" -I "$googleapis" -I /usr/include \
  "${protos[@]}" google/rpc/status.proto google/rpc/error_details.proto \
  google/type/date.proto

(cd "$work" && node_modules/.bin/tsc -p tsconfig.json --noEmit)
mkdir -p "$work/dist.new/assets"
(cd "$work" && node_modules/.bin/esbuild src/main.tsx --bundle --minify \
  --format=esm --target=es2022 --jsx=automatic --jsx-import-source=preact \
  --entry-names='[name]-[hash]' --outdir=dist.new/assets \
  --metafile=dist.new/.meta.json --legal-comments=none --log-level=warning)
js=$(cd "$work/dist.new/assets" && ls main-*.js)
css=$(cd "$work/dist.new/assets" && ls main-*.css 2>/dev/null || true)
sed -e "s|@MAIN_JS@|/assets/$js|" -e "s|@MAIN_CSS@|/assets/$css|" \
  "$here/index.html" >"$work/dist.new/index.html"
rm -rf "$work/dist"
mv "$work/dist.new" "$work/dist"
gz=$(gzip -9c "$work/dist/assets/$js" | wc -c)
echo "web: built $work/dist ($gz bytes of JavaScript, gzip)" >&2
# The budget of docs/BENCHMARKS.md ("The web console"): the main bundle
# stays under 250 KB gzip.
if ((gz > 250 * 1024)); then
  echo "web: the main bundle is $gz bytes gzip, over the 250 KB budget" >&2
  exit 1
fi
