#!/usr/bin/env bash
# Checks C++ files against the repository's .clang-format (Google base).
#   tests/style/check_format.sh               every tracked .cc/.h file
#   tests/style/check_format.sh FILE...       just these files
# Prints each file that differs and exits 1 if any does; `clang-format -i
# FILE` fixes one. The style is described in docs/CONTRIBUTING.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
if (($#)); then
  files=("$@")
else
  mapfile -t files < <(git ls-files -- '*.cc' '*.h')
fi
if ((${#files[@]} == 0)); then
  echo "check_format: no C++ files to check" >&2
  exit 1
fi
bad=()
for f in "${files[@]}"; do
  if ! clang-format --style=file:"$root/.clang-format" --dry-run --Werror "$f" \
      >/dev/null 2>&1; then
    bad+=("$f")
  fi
done
if ((${#bad[@]})); then
  printf 'not clang-formatted: %s\n' "${bad[@]}" >&2
  echo "check_format: ${#bad[@]} of ${#files[@]} files differ (clang-format -i FILE)" >&2
  exit 1
fi
echo "check_format: ${#files[@]} files formatted"
