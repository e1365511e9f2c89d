#!/usr/bin/env bash
# Installs the npm packages that FROM/package-lock.json locks into
# TO/node_modules, with `npm ci`, unless TO already holds exactly that
# install. Every script that needs npm packages (the local OpenID provider,
# the console build, the browser and HTTP client tests, the console bench,
# buf, the deploy check's validators) calls it.
#
#   deploy/local/npm-ci.sh FROM TO [npm ci option...]
#   e.g. deploy/local/npm-ci.sh web build/web --ignore-scripts
#
# What is installed is recorded inside node_modules, after npm ci has
# succeeded (TO/node_modules/.kyodo-package-lock.json): npm ci empties
# node_modules first, so a failed or interrupted install, or a deleted
# node_modules, is redone next time, and a changed lock file installs again.
# Packages come from the registry of the machine's npm configuration. npm's
# messages go to stderr: stdout stays the caller's. The caller serialises
# installs into one TO (flock), as tests may start several at once.
set -euo pipefail
if (($# < 2)); then
  echo "usage: deploy/local/npm-ci.sh FROM TO [npm ci option...]" >&2
  exit 2
fi
from=$1
to=$2
shift 2
record=$to/node_modules/.kyodo-package-lock.json
if cmp -s "$from/package-lock.json" "$record"; then
  exit 0
fi
mkdir -p "$to"
cp "$from/package.json" "$from/package-lock.json" "$to/"
if ! (cd "$to" && npm ci "$@" --no-audit --no-fund --loglevel=error >&2); then
  echo "kyodo: npm ci of $from/package-lock.json into $to failed" >&2
  exit 1
fi
# (A lock without dependencies leaves no node_modules of its own.)
mkdir -p "$to/node_modules"
cp "$from/package-lock.json" "$record"
