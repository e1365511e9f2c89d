#!/usr/bin/env bash
# Runs the suite's ctest tests once more in a build with AddressSanitizer and
# UndefinedBehaviorSanitizer and libstdc++'s assertions, and fails on any
# finding. tests/run.sh calls it after the normal run, with the test
# database's KYODO_TEST_DB_* variables set (with KYODO_SANITIZE=1).
#
#   tests/sanitize/run.sh [ctest arguments...]    e.g. -R partner
#
# The build is a separate clang build in build-asan/ (KYODO_SANITIZE_BUILD_DIR):
# -O1, line tables only, no benchmarks, warnings not fatal (the gcc build
# keeps -Werror); -fno-sanitize-recover=all makes every UBSan finding stop
# its process. Every instrumented process (the test binaries and the service
# processes they start, which tests/testing/process.cc hands the sanitizer
# variables on to) writes its reports to a folder of its own; any report
# there (any non-empty file: see below) fails the run, even one from a
# child process whose exit status no test looks at, and is printed. Environment: KYODO_JOBS (default 2),
# KYODO_SANITIZE_TARGETS (build only these ninja targets).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${KYODO_SANITIZE_BUILD_DIR:-$root/build-asan}

# clang and its sanitizer runtimes (the fuzz build needs the same packages).
if ! command -v clang++ >/dev/null 2>&1 ||
  ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.asan-x86_64.a >/dev/null 2>&1; then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    clang libclang-rt-dev >/dev/null
fi

launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# As in deploy/local/build.sh: clones at other paths share ccache's entries.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
flags="-O1 -gline-tables-only -fno-omit-frame-pointer"
flags+=" -fsanitize=address,undefined -fno-sanitize-recover=all"
flags+=" -D_GLIBCXX_ASSERTIONS"
# libFuzzer's coverage hooks too (fuzzer-no-link), and the fuzz targets
# (KYODO_FUZZ=ON): tests/fuzz/run.sh then fuzzes in this same tree
# (FUZZ_BUILD_DIR) instead of compiling the libraries a third time.
flags+=" -fsanitize=fuzzer-no-link"
cmake -S "$root" -B "$build" -G Ninja "${launcher[@]}" \
  -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Sanitize \
  -DKYODO_WERROR=OFF -DKYODO_BENCH=OFF -DKYODO_FUZZ=ON -DKYODO_TEST_HOOKS=ON \
  "-DCMAKE_CXX_FLAGS=$flags" >/dev/null
started=$(date +%s)
# KYODO_SANITIZE_TARGETS="a b" builds only those targets (local iteration
# with ctest arguments); CI builds everything.
# shellcheck disable=SC2086
ninja -C "$build" -j "${KYODO_JOBS:-2}" ${KYODO_SANITIZE_TARGETS:-}
built=$(date +%s)

reports=$(mktemp -d -t kyodo-sanitize.XXXXXX)
trap 'rm -rf "$reports"' EXIT
# halt_on_error is the default for ASan; leaks are findings too. The report
# files are named <tool>.<pid>.
export ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1"
export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$root/tests/sanitize/lsan.supp:print_suppressions=0"
export KYODO_BUILD_DIR=$build

status=0
# The style and API-compatibility checks run no kyodo program: the first
# run covered them.
ctest --test-dir "$build" --output-on-failure -j "${KYODO_JOBS:-2}" \
  -E '^(style|protos)\.' "$@" || status=$?
finished=$(date +%s)
found=0
for report in "$reports"/*; do
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
if ((found)); then status=1; fi
echo "sanitize: build $((built - started)) s, tests $((finished - built)) s" >&2
exit "$status"
