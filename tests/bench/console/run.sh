#!/usr/bin/env bash
# The web console's rendering of a 5,000-proposal decision in Debian's
# chromium (render.mjs says what is measured); docs/BENCHMARKS.md ("The web
# console") reports it.
#   tests/bench/console/run.sh [BUILD_DIR] [N=5000] [RUNS=5]
# Builds the console (web/build.sh) and uses the browser test's npm
# packages (tests/web/package-lock.json: puppeteer-core), installed into
# BUILD_DIR/web-test as tests/web/run.sh does; chromium from Debian.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../.." && pwd)
build=${1:-$src/build}
mkdir -p "$build"
build=$(cd "$build" && pwd)
work=$build/web-test
command -v chromium >/dev/null || { echo "console bench: needs Debian's chromium" >&2; exit 1; }
mkdir -p "$work"
exec 9>"$work/.lock"
flock 9
"$src/deploy/local/npm-ci.sh" "$src/tests/web" "$work" --ignore-scripts
flock -u 9
"$src/web/build.sh" "$build"
# Beside the node_modules, where node resolves its imports.
cp "$here/render.mjs" "$work/bench-render.mjs"
exec node "$work/bench-render.mjs" "$build/web/dist" "${2:-5000}" "${3:-5}"
