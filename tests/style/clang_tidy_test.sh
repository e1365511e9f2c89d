#!/usr/bin/env bash
# The clang-tidy check can fail: in a small tree of its own (the check, the
# repository's .clang-tidy and one CMake target), a use after std::move is
# reported by check and file and fails the run, the corrected file passes,
# and a second run of the passing file is answered from the cache.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d -t kyodo-tidy-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/tree/tests/style" "$tmp/tree/common"
cp "$root/tests/style/clang_tidy.sh" "$tmp/tree/tests/style/"
cp "$root/.clang-tidy" "$tmp/tree/"
cat >"$tmp/tree/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.25)
project(tidy_test LANGUAGES CXX)
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)
add_library(moved OBJECT common/moved.cc)
EOF
write() {
  cat >"$tmp/tree/common/moved.cc" <<EOF
#include <string>
#include <utility>
#include <vector>

std::size_t Keep(std::vector<std::string>& into, std::string name) {
  into.push_back(std::move(name));
  return $1.size();
}
EOF
}
export KYODO_TIDY_CACHE=$tmp/cache
build() {
  cmake -S "$tmp/tree" -B "$tmp/build" -G Ninja >/dev/null
  ninja -C "$tmp/build" >/dev/null
}

write name # read after it was moved from: bugprone-use-after-move
build
if out=$("$tmp/tree/tests/style/clang_tidy.sh" "$tmp/build" common/moved.cc 2>&1); then
  echo "FAIL: a use after move passed the check: $out" >&2
  exit 1
fi
grep -q 'moved.cc:7:.*bugprone-use-after-move' <<<"$out" || {
  echo "FAIL: the finding was not named: $out" >&2
  exit 1
}

write into # corrected
build
out=$("$tmp/tree/tests/style/clang_tidy.sh" "$tmp/build" common/moved.cc)
grep -q '1 checked' <<<"$out" || {
  echo "FAIL: the corrected file was not checked: $out" >&2
  exit 1
}
out=$("$tmp/tree/tests/style/clang_tidy.sh" "$tmp/build" common/moved.cc)
grep -q '0 checked, 1 unchanged' <<<"$out" || {
  echo "FAIL: the clean file was checked again: $out" >&2
  exit 1
}
echo "clang_tidy_test: passed"
