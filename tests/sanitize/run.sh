#!/usr/bin/env bash
# Runs the suite's ctest tests in a sanitizer build, and fails on any
# finding. tests/run.sh calls it after the gcc build's tests, twice, with the
# test database's KYODO_TEST_DB_* variables set:
#
#   KYODO_SANITIZER=address (the default): AddressSanitizer, UBSan and
#     libstdc++'s assertions, over every ctest test but the static checks
#     (label `static`, run in the gcc build), in build-asan/;
#   KYODO_SANITIZER=thread: ThreadSanitizer, over the tests that run the
#     services' threads (the services', gateway's and notifier's tests, the
#     database pool, every integration test), in build-tsan/.
#
#   tests/sanitize/run.sh [ctest arguments...]    e.g. -R partner
#
# Each is a separate clang build (KYODO_SANITIZE_BUILD_DIR): -O1 (the test
# programs' own files -O0, below), line tables only, a unity build (each
# target's files in batches: KYODO_UNITY, CMakeLists.txt), no benchmarks, warnings
# fatal as in the gcc build (this is where the test files are compiled with
# -Werror: the gcc build of tests/run.sh compiles few of them). For ASan,
# -fno-sanitize-recover=all makes every UBSan finding stop its process.
# Every instrumented process (the test binaries and the service processes
# they start, which tests/testing/process.cc hands the sanitizer variables
# on to) writes its reports to a folder of its own; any report there (any
# non-empty file: see below) fails the run, even one from a child process
# whose exit status no test looks at, and is printed.
# Environment: KYODO_JOBS (default 2), KYODO_SANITIZE_TARGETS (build only
# these ninja targets). docs/RELIABILITY.md, "Sanitizers", says what each
# found.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
sanitizer=${KYODO_SANITIZER:-address}
case $sanitizer in
  address) build=${KYODO_SANITIZE_BUILD_DIR:-$root/build-asan} ;;
  thread) build=${KYODO_SANITIZE_BUILD_DIR:-$root/build-tsan} ;;
  *) echo "sanitize: KYODO_SANITIZER is address or thread, not $sanitizer" >&2; exit 2 ;;
esac

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
# As in deploy/local/build.sh: mold links when it is there.
linker=(-DKYODO_LINKER=)
command -v ld.mold >/dev/null 2>&1 && linker=(-DKYODO_LINKER=mold)
# As in deploy/local/build.sh: clones at other paths share ccache's entries.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
flags="-O1 -gline-tables-only -fno-omit-frame-pointer"
# The test programs' own files at -O0 (KYODO_TEST_COMPILE_OPTIONS,
# CMakeLists.txt); the libraries and services they test stay at -O1. Under
# ASan, clang takes 13 s instead of 20 s for tests/integration/round_test.cc
# and 28 s instead of 58 s for tests/gateway/fan_out_test.cc. ASan checks
# every access as before; clang 14 turns UBSan's object-size check off at
# -O0, so the test files (and inline code from kyodo's headers that the
# linker takes from them) go without it, which ASan's bounds checks cover.
test_flags="-O0"
options=()
tests=()
targets=()
if [[ $sanitizer == address ]]; then
  flags+=" -fsanitize=address,undefined -fno-sanitize-recover=all"
  flags+=" -D_GLIBCXX_ASSERTIONS"
  # libFuzzer's coverage hooks too (fuzzer-no-link), and the fuzz targets
  # (KYODO_FUZZ=ON): tests/fuzz/run.sh then fuzzes in this same tree
  # (FUZZ_BUILD_DIR) instead of compiling the libraries a third time.
  flags+=" -fsanitize=fuzzer-no-link"
  options+=(-DKYODO_FUZZ=ON)
  # The static checks run no kyodo program: the gcc build's run covered
  # them (tests/CMakeLists.txt).
  tests=(-LE '^static$')
else
  flags+=" -fsanitize=thread"
  # The tests whose processes run threads against each other: the
  # services' own (gRPC's thread pool over the connection pool, the events
  # feed's thread), the gateway's forwarding, its fan-out on gRPC's
  # callback threads and its HTTP entry (a thread per connection), the
  # notifier (its feed followers beside the sender), the pool, the server
  # bootstrap (drain, signals), the token client's refresh, the reliability
  # tests and every integration test (each service its own process, under
  # load, faults, restarts and a 20 MB document). The pure domain rules and
  # the mail templates run on one thread; the other HTTP, deploy and
  # browser tests repeat what these cover through other entries.
  threaded='partner_service_test project_service_test proposal_service_test'
  threaded+=' gateway_proxy_test gateway_fan_out_test http_entry_test'
  threaded+=' notifier_test notifier_transport_test'
  threaded+=' common_db_test common_server_test common_oauth_test'
  threaded+=' reliability_test integration_round_test integration_secrecy_test'
  threaded+=' integration_separate_servers_test integration_events_test'
  threaded+=' integration_kyodoctl_events_test integration_notifier_test'
  threaded+=' integration_documents_test'
  # With them, the check that a planted race is reported and fails the run
  # (tests/sanitize/CMakeLists.txt).
  # shellcheck disable=SC2206
  targets=(partner_service project_service proposal_service gateway kyodoctl
    notifier tsan_race $threaded)
  tests=(-R "^(sanitize|$(tr ' ' '|' <<<"$threaded"))(\\.|$)" -LE '^static$')
fi
cmake -S "$root" -B "$build" -G Ninja "${launcher[@]}" "${linker[@]}" \
  -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Sanitize \
  -DKYODO_WERROR=ON -DKYODO_BENCH=OFF -DKYODO_UNITY=ON -DKYODO_SANITIZER="$sanitizer" -DKYODO_TEST_HOOKS=ON \
  "${options[@]}" \
  "-DCMAKE_CXX_FLAGS=$flags" "-DKYODO_TEST_COMPILE_OPTIONS=$test_flags" >/dev/null
# No two files of one unity batch define a file-local function of the same
# name: one file's call could resolve to the other's overload, silently.
"$root/tests/sanitize/unity_names.sh" "$build"
started=$(date +%s)
# KYODO_SANITIZE_TARGETS="a b" builds only those targets (local iteration
# with ctest arguments); CI builds everything (ASan) or what the chosen
# tests run (TSan).
# shellcheck disable=SC2086
ninja -C "$build" -j "${KYODO_JOBS:-2}" ${KYODO_SANITIZE_TARGETS:-${targets[*]}}
built=$(date +%s)

reports=$(mktemp -d -t kyodo-sanitize.XXXXXX)
trap 'rm -rf "$reports"' EXIT
if [[ $sanitizer == address ]]; then
  # halt_on_error is the default for ASan; leaks are findings too. The
  # report files are named <tool>.<pid>. ASan and UBSan write raw stacks
  # (symbolize=0) and reports.sh symbolizes them afterwards: symbolizing in
  # the failing process takes seconds in a large binary, and a service that
  # a test stops with SIGKILL after its grace period died mid-report
  # (docs/RELIABILITY.md, "Sanitizers").
  export ASAN_OPTIONS="log_path=$reports/asan:symbolize=0:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1"
  export UBSAN_OPTIONS="log_path=$reports/ubsan:symbolize=0:print_stacktrace=1:halt_on_error=1"
  export LSAN_OPTIONS="suppressions=$root/tests/sanitize/lsan.supp:print_suppressions=0"
else
  # TSan goes on after a report (halt_on_error=0) so that one run shows
  # every race; any report still fails the run. It symbolizes in process:
  # tsan.supp matches source files. tsan.supp names what is suppressed and
  # why. Only TSAN_OPTIONS: the TSan runtime also reads UBSAN_OPTIONS,
  # after it, and the ASan step's settings there would override these.
  unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
  export TSAN_OPTIONS="log_path=$reports/tsan:halt_on_error=0:second_deadlock_stack=1:suppressions=$root/tests/sanitize/tsan.supp:print_suppressions=0"
fi
export KYODO_BUILD_DIR=$build

status=0
ctest --test-dir "$build" --output-on-failure -j "${KYODO_JOBS:-2}" \
  "${tests[@]}" "$@" || status=$?
finished=$(date +%s)
"$root/tests/sanitize/reports.sh" "$reports" || status=1
echo "sanitize ($sanitizer): build $((built - started)) s, tests $((finished - built)) s" >&2
exit "$status"
