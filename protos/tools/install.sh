#!/usr/bin/env bash
# Installs the buf CLI pinned in protos/tools/package-lock.json (npm's
# @bufbuild/buf, which ships buf's binary) into BUILD_DIR/buf-tools with
# `npm ci` (deploy/local/npm-ci.sh), unless that lock file is already
# installed there, and prints the path of the buf command.
#   protos/tools/install.sh [BUILD_DIR]      (default: $KYODO_BUILD_DIR or build/)
# Environment: KYODO_SKIP_APT=1 to never call apt-get.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-${KYODO_BUILD_DIR:-$root/build}}
tools=$root/protos/tools
dest=$build/buf-tools
buf=$dest/node_modules/.bin/buf

# Node.js with its npm, from Debian when absent. Only by command: a machine
# may have them from elsewhere (NodeSource's nodejs carries its own npm and
# conflicts with Debian's), so they are not in deploy/packages.txt.
if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  if [[ "${KYODO_SKIP_APT:-0}" == 1 ]]; then
    echo "kyodo: buf needs node and npm (apt-get install nodejs npm)" >&2
    exit 1
  fi
  echo "kyodo: installing nodejs npm" >&2
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

mkdir -p "$build"
# One installer at a time (tests run in parallel).
exec 9>"$build/buf-tools.lock"
flock 9
# --ignore-scripts: @bufbuild/buf's bin/buf finds the platform's binary by
# itself; its postinstall only shortcuts that, and npm versions differ on
# running it.
"$root/deploy/local/npm-ci.sh" "$tools" "$dest" --ignore-scripts
"$buf" --version >/dev/null
echo "$buf"
