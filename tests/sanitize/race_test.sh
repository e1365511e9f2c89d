#!/usr/bin/env bash
# The ThreadSanitizer run can fail: the deliberate race of race.cc, run the
# way tests/sanitize/run.sh runs every process, leaves a report naming the
# race and its line, and the report check fails on it.
#   tests/sanitize/race_test.sh RACE_BINARY
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
race=${1:?usage: race_test.sh RACE_BINARY}
reports=$(mktemp -d -t kyodo-race.XXXXXX)
trap 'rm -rf "$reports"' EXIT
# TSan exits 66 after a report; its own log_path, not run.sh's folder, so
# that this planted race does not fail the run it is part of. The TSan
# runtime reads UBSAN_OPTIONS after TSAN_OPTIONS, and run.sh's log_path there
# would win: the race runs without it. With the run's suppressions, so that
# one broad enough to hide a race in kyodo's own code fails here.
env -u UBSAN_OPTIONS -u ASAN_OPTIONS \
  TSAN_OPTIONS="log_path=$reports/tsan:halt_on_error=0:suppressions=$root/tests/sanitize/tsan.supp" \
  "$race" || true
if out=$("$root/tests/sanitize/reports.sh" "$reports" 2>&1); then
  echo "FAIL: no report of the race, or the check passed it: $out" >&2
  exit 1
fi
grep -q 'WARNING: ThreadSanitizer: data race' <<<"$out" &&
  grep -q 'race.cc:10' <<<"$out" || {
  echo "FAIL: the report does not name the race at race.cc:10: $out" >&2
  exit 1
}
echo "race_test: passed"
