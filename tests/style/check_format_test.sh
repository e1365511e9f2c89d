#!/usr/bin/env bash
# The format check can fail: a badly formatted copy of a real file is
# reported by name (alone or among good files), a file that cannot be read
# fails, and the same file as committed passes.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Same file name as the original: clang-format keys the main include on it.
mkdir -p "$tmp/good" "$tmp/bad"
good=$tmp/good/errors.cc
bad=$tmp/bad/errors.cc
cp "$root/common/status/errors.cc" "$good"
# Squeeze the indentation and join a statement across lines.
sed -e 's/^  //' -e 's/) {$/)\n{/' "$good" >"$bad"
"$root/tests/style/check_format.sh" "$good" >/dev/null
if out=$("$root/tests/style/check_format.sh" "$bad" 2>&1); then
  echo "FAIL: a badly formatted file passed the check" >&2
  exit 1
fi
grep -q "not clang-formatted: $bad" <<<"$out" || {
  echo "FAIL: the check did not name the file: $out" >&2
  exit 1
}
# Checked together (one clang-format process), only the bad one is named.
if out=$("$root/tests/style/check_format.sh" "$good" "$bad" 2>&1); then
  echo "FAIL: a badly formatted file passed among good ones" >&2
  exit 1
fi
grep -q "not clang-formatted: $bad" <<<"$out" && ! grep -q "$good" <<<"$out" &&
  grep -q "1 of 2 files differ" <<<"$out" || {
  echo "FAIL: the check did not name just the bad file: $out" >&2
  exit 1
}
# A file clang-format cannot read fails the check rather than passing.
if out=$("$root/tests/style/check_format.sh" "$good" "$tmp/missing.cc" 2>&1); then
  echo "FAIL: a missing file passed the check" >&2
  exit 1
fi
grep -q "clang-format failed" <<<"$out" || {
  echo "FAIL: the check did not say why it failed: $out" >&2
  exit 1
}
echo "check_format_test: passed"
