#!/usr/bin/env bash
# The format check can fail: a badly formatted copy of a real file is
# reported by name (alone, among good files, or with spaces and colons in its
# name), a file that cannot be read fails by name, and the same file as
# committed passes.
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
# refused WHAT FILE...: the check fails on FILE... (its output in $out,
# which the caller checks next).
refused() {
  local what=$1
  shift
  if out=$("$root/tests/style/check_format.sh" "$@" 2>&1); then
    echo "FAIL: $what passed the check" >&2
    exit 1
  fi
}
fail() {
  echo "FAIL: $1: $out" >&2
  exit 1
}
refused "a badly formatted file" "$bad"
grep -q "not clang-formatted: $bad" <<<"$out" || fail "the check did not name the file"
# Checked together (one clang-format process), only the bad one is named.
refused "a badly formatted file among good ones" "$good" "$bad"
if ! grep -q "not clang-formatted: $bad" <<<"$out" || grep -q "$good" <<<"$out" ||
  ! grep -q "1 of 2 files differ" <<<"$out"; then
  fail "the check did not name just the bad file"
fi
# A file clang-format cannot read fails the check rather than passing.
refused "a missing file" "$good" "$tmp/missing.cc"
grep -q "cannot read: $tmp/missing.cc" <<<"$out" || fail "the check did not name the missing file"
# A name with a space and colons is named whole.
odd="$tmp/a b:1:2/errors.cc"
mkdir -p "$(dirname "$odd")"
cp "$bad" "$odd"
refused "a badly formatted file with an odd name" "$good" "$odd"
grep -qx "not clang-formatted: $odd" <<<"$out" || fail "the check did not name the odd file whole"
echo "check_format_test: passed"
