#!/usr/bin/env bash
# No `using` declaration or directive at namespace scope in a header
# (docs/CONTRIBUTING.md, "Style"): it would leak into every includer. Type
# aliases (`using X = ...;`) are fine, and so are using-declarations inside
# a class (`  using Base::Base;`, indented, as Google style puts them).
#   tests/style/check_using.sh               every tracked .h file
#   tests/style/check_using.sh FILE...       just these files
# Prints each offending line and exits 1 if there is any.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
if (($#)); then
  files=("$@")
else
  mapfile -t files < <(git ls-files -- '*.h')
fi
if ((${#files[@]} == 0)); then
  echo "check_using: no headers to check" >&2
  exit 1
fi
# Namespace scope is not indented in Google style: `using ns::Name;` or
# `using namespace ns;` at the start of a line.
if grep -HnE '^using[[:space:]]+(namespace[[:space:]]+)?[A-Za-z_:][A-Za-z0-9_:]*[[:space:]]*;' \
    "${files[@]}" >&2; then
  echo "check_using: using-declarations in headers (qualify the names instead)" >&2
  exit 1
fi
echo "check_using: ${#files[@]} headers without using-declarations"
