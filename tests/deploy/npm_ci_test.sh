#!/usr/bin/env bash
# deploy/local/npm-ci.sh installs a lock file once, again when the lock
# changes or node_modules goes, and never records a failed install as done.
# Offline: the package is a local folder (a file: dependency).
#   tests/deploy/npm_ci_test.sh [SOURCE_DIR]
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
npm_ci=$root/deploy/local/npm-ci.sh
work=$(mktemp -d -t kyodo-npm-ci.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export npm_config_cache=$work/npm-cache npm_config_offline=true

# A package to depend on, and a project that locks it.
mkdir -p "$work/pkg" "$work/from" "$work/bin"
printf '{"name":"kyodo-npm-ci-probe","version":"1.0.0"}\n' >"$work/pkg/package.json"
echo 'module.exports = 1;' >"$work/pkg/index.js"
printf '{"name":"probe-user","version":"1.0.0","dependencies":{"kyodo-npm-ci-probe":"file:../pkg"}}\n' \
  >"$work/from/package.json"
(cd "$work/from" && npm install --package-lock-only --no-audit --no-fund --loglevel=error >/dev/null)
to=$work/to

"$npm_ci" "$work/from" "$to" 2>/dev/null || fail "the first install failed"
[[ -e "$to/node_modules/kyodo-npm-ci-probe" ]] || fail "the package is not installed"
cmp -s "$work/from/package-lock.json" "$to/node_modules/.kyodo-package-lock.json" ||
  fail "the install is not recorded"

# Installed: no npm at all is needed the second time.
printf '#!/bin/sh\necho "npm ran" >&2; exit 1\n' >"$work/bin/npm"
chmod +x "$work/bin/npm"
PATH="$work/bin:$PATH" "$npm_ci" "$work/from" "$to" 2>/dev/null ||
  fail "an installed lock was installed again"

# node_modules gone: installed again (here with the failing npm: refused).
rm -rf "$to/node_modules"
if PATH="$work/bin:$PATH" "$npm_ci" "$work/from" "$to" 2>"$work/err"; then
  fail "a deleted node_modules was taken as installed"
fi
grep -q "npm ci of $work/from/package-lock.json into $to failed" "$work/err" ||
  fail "the failure does not say what failed: $(cat "$work/err")"
[[ ! -e "$to/node_modules/.kyodo-package-lock.json" ]] || fail "a failed install was recorded"
"$npm_ci" "$work/from" "$to" 2>/dev/null || fail "the retry failed"
[[ -e "$to/node_modules/kyodo-npm-ci-probe" ]] || fail "the retry did not install"

# A changed lock installs again, once (npm counted by a wrapper that runs it).
printf '{"name":"kyodo-npm-ci-probe","version":"1.0.1"}\n' >"$work/pkg/package.json"
(cd "$work/from" && npm install --package-lock-only --no-audit --no-fund --loglevel=error >/dev/null)
mkdir -p "$work/counting"
cat >"$work/counting/npm" <<EOF
#!/bin/sh
echo ran >>"$work/npm-runs"
exec $(command -v npm) "\$@"
EOF
chmod +x "$work/counting/npm"
: >"$work/npm-runs"
for run in 1 2; do
  PATH="$work/counting:$PATH" "$npm_ci" "$work/from" "$to" 2>/dev/null ||
    fail "install $run of the changed lock failed"
done
(($(wc -l <"$work/npm-runs") == 1)) ||
  fail "the changed lock ran npm $(wc -l <"$work/npm-runs") times, not once"
cmp -s "$work/from/package-lock.json" "$to/node_modules/.kyodo-package-lock.json" ||
  fail "the changed lock is not recorded"
echo "ok: npm-ci.sh installs once, again on change or loss, and never records a failure"
