#!/usr/bin/env bash
# Prints every sanitizer report in a folder of report files (<tool>.<pid>,
# the sanitizers' log_path) and exits 1 if there is any.
#   tests/sanitize/reports.sh DIR
# tests/sanitize/run.sh calls it after its ctest run; race_test.sh shows it
# fails on a real ThreadSanitizer report.
set -euo pipefail
dir=${1:?usage: reports.sh DIR}
# Raw stacks (run.sh sets symbolize=0) are symbolized here by LLVM's
# asan_symbolize (Debian's clang package), which names each frame's function
# and line; a symbolized report passes through it unchanged.
symbolize=(cat)
if command -v asan_symbolize >/dev/null 2>&1; then
  symbolize=(asan_symbolize -d)
fi
found=0
for report in "$dir"/*; do
  [[ -e "$report" ]] || continue
  # An empty file holds no finding: a runtime opened its log and wrote
  # nothing. It is named, not failed on. (Two clean-clone runs had a report
  # cut short: one empty, one with only the line of an ASan double-free in a
  # thread, in a process stopped by SIGKILL while it symbolized; run.sh now
  # has the runtimes write raw stacks, which takes no time.)
  if [[ ! -s "$report" ]]; then
    echo "sanitize: $(basename "$report") is empty: no report in it" >&2
    continue
  fi
  ((found)) || echo "sanitize: findings (one file per process):" >&2
  found=1
  echo "---- $(basename "$report")" >&2
  "${symbolize[@]}" <"$report" >&2 || cat "$report" >&2
done
exit "$found"
