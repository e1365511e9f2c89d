#!/usr/bin/env bash
# Generates a TypeScript client of kyodo's protos with protoc-gen-es, type-
# checks and compiles client.test.ts against it, and runs it with node.
# Everything generated or installed goes to WORK (a build folder), never
# into the source tree.
#   run.sh WORK      (environment: see client.test.ts)
# Installs nodejs and npm with apt-get when missing (as deploy/test.sh
# does); npm packages come from the committed package-lock.json.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
work=$1
mkdir -p "$work"

missing=()
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if ((${#missing[@]})); then
  sudo=; ((EUID == 0)) || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

"$root/deploy/local/npm-ci.sh" "$here" "$work"

googleapis=/usr/share/gocode/src/github.com/gogo/googleapis
rm -rf "$work/gen" "$work/dist"
mkdir -p "$work/gen"
mapfile -t protos < <(cd "$root/protos" && find kyodo -name '*.proto' | sort)
protoc --plugin=protoc-gen-es="$work/node_modules/.bin/protoc-gen-es" \
  --es_out="$work/gen" --es_opt=target=ts,import_extension=js \
  -I "$root/protos" -I "$googleapis" -I /usr/include \
  "${protos[@]}" google/rpc/status.proto google/rpc/error_details.proto \
  google/type/date.proto
cp "$here/client.test.ts" "$here/tsconfig.json" "$work/"
(cd "$work" && node_modules/.bin/tsc -p tsconfig.json)
node "$work/dist/client.test.js"
