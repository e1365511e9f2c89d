#!/usr/bin/env bash
# Prints every sanitizer report in a folder of report files (<tool>.<pid>,
# the sanitizers' log_path) and exits 1 if there is any.
#   tests/sanitize/reports.sh DIR
# tests/sanitize/run.sh calls it after its ctest run; race_test.sh shows it
# fails on a real ThreadSanitizer report.
set -euo pipefail
dir=${1:?usage: reports.sh DIR}
found=0
for report in "$dir"/*; do
  [[ -e "$report" ]] || continue
  # An empty file holds no finding: a runtime opened its log and wrote
  # nothing. One clean-clone run had one (ubsan.PID, no test failed; the
  # process and the cause were not found). It is named, not failed on: a
  # real finding writes its whole report before the process stops, and
  # would come back with its text.
  if [[ ! -s "$report" ]]; then
    echo "sanitize: $(basename "$report") is empty: no report in it" >&2
    continue
  fi
  ((found)) || echo "sanitize: findings (one file per process):" >&2
  found=1
  echo "---- $(basename "$report")" >&2
  cat "$report" >&2
done
exit "$found"
