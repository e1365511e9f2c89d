#!/usr/bin/env bash
# The using check can fail: a header with a using-declaration or a
# using-directive is reported with its line, and type aliases and
# declarations inside a class pass.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check=$root/tests/style/check_using.sh
cat >"$tmp/good.h" <<'H'
namespace kyodo::x {
using Ids = std::vector<std::string>;
class Derived : public Base {
 public:
  using Base::Base;
};
}  // namespace kyodo::x
H
"$check" "$tmp/good.h" >/dev/null || { echo "FAIL: a clean header was refused" >&2; exit 1; }
for line in 'using common::server::CallContext;' 'using namespace kyodo::common;' \
    'using ::kyodo::testing::Context ;'; do
  printf 'namespace kyodo::x {\n%s\n}  // namespace kyodo::x\n' "$line" >"$tmp/bad.h"
  if out=$("$check" "$tmp/bad.h" 2>&1); then
    echo "FAIL: '$line' in a header passed the check" >&2
    exit 1
  fi
  grep -qF "$tmp/bad.h:2:$line" <<<"$out" || {
    echo "FAIL: the check did not name the line: $out" >&2
    exit 1
  }
done
echo "check_using_test: passed"
