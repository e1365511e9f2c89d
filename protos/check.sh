#!/usr/bin/env bash
# Checks kyodo's API (protos/kyodo/) with buf, the pinned version of
# protos/tools/package-lock.json:
#   build     every file compiles;
#   lint      the project's conventions (protos/buf.yaml, and
#             protos/tools/lint_request_id.js for what buf cannot express);
#   breaking  nothing released changed incompatibly: wire, JSON or generated
#             code, against the released API image protos/released-api.json.
# docs/API_EVOLUTION.md says what each guards and how to change the API.
#
#   protos/check.sh [STEP...]          the steps (default: build lint breaking)
#   protos/check.sh --write-image      rewrite protos/released-api.json from
#                                      the protos (a release, or a deliberate
#                                      break with its docs/CHANGELOG.md line)
# Options: --protos DIR   a folder with kyodo/ and buf.yaml to check instead
#                         of protos/ (the tests check seeded copies);
#          --against FILE the image to compare with (default
#                         DIR/released-api.json).
# Environment: KYODO_BUILD_DIR (default build/) holds buf and the workspace;
# KYODO_GOOGLEAPIS_DIR is where google/type/*.proto and google/rpc/*.proto are
# (default: Debian's golang-github-gogo-googleapis-dev).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${KYODO_BUILD_DIR:-$root/build}
googleapis=${KYODO_GOOGLEAPIS_DIR:-/usr/share/gocode/src/github.com/gogo/googleapis}
protos=$root/protos
against=""
write_image=0
steps=()
while (($#)); do
  case "$1" in
    --protos) protos=$(cd "$2" && pwd); shift 2 ;;
    --against) against=$2; shift 2 ;;
    --write-image) write_image=1; shift ;;
    build | lint | breaking) steps+=("$1"); shift ;;
    *) echo "usage: protos/check.sh [--protos DIR] [--against IMAGE] [--write-image] [build|lint|breaking]..." >&2
       exit 2 ;;
  esac
done
((${#steps[@]})) || steps=(build lint breaking)
against=$(realpath -m "${against:-$protos/released-api.json}")

if [[ ! -f "$googleapis/google/type/date.proto" ]]; then
  echo "protos: $googleapis/google/type/date.proto is missing: install golang-github-gogo-googleapis-dev" >&2
  exit 1
fi
buf=$("$root/protos/tools/install.sh" "$build")
export BUF_CACHE_DIR=$build/buf-cache

# The workspace of buf.yaml: kyodo/ and the googleapis module, linked.
mkdir -p "$build"
work=$(mktemp -d "$build/buf-work.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp "$protos/buf.yaml" "$work/buf.yaml"
ln -s "$protos/kyodo" "$work/kyodo"
mkdir "$work/.deps"
ln -s "$googleapis" "$work/.deps/googleapis"
cd "$work"

# The image of kyodo's files (with their imports, so it stands alone), as
# indented JSON so that a change to it reads as a diff in review.
write_json_image() {
  "$buf" build --path kyodo --exclude-source-info -o "$work/flat.json"
  node -e 'const fs = require("fs");
    const image = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    fs.writeFileSync(process.argv[2], JSON.stringify(image, null, 1) + "\n");' \
    "$work/flat.json" "$1"
}

if ((write_image)); then
  write_json_image "$work/new.json"
  mv "$work/new.json" "$against"
  echo "protos: wrote $against"
  exit 0
fi

failed=0
for step in "${steps[@]}"; do
  ok=1
  case "$step" in
    build)
      "$buf" build --error-format=msvs -o "$work/image.binpb" || ok=0 ;;
    lint)
      "$buf" lint --error-format=msvs || ok=0
      if write_json_image "$work/lint.json"; then
        node "$root/protos/tools/lint_request_id.js" "$work/lint.json" || ok=0
      else
        ok=0
      fi ;;
    breaking)
      if [[ ! -f "$against" ]]; then
        echo "protos: no image to compare with: $against" >&2
        ok=0
      else
        "$buf" breaking --error-format=msvs --path kyodo --against "$against#format=json" || ok=0
      fi ;;
  esac
  if ((ok)); then
    echo "protos: $step passed"
  else
    echo "protos: $step FAILED"
    failed=1
  fi
done
exit "$failed"
