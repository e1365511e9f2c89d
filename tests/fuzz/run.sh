#!/usr/bin/env bash
# Fuzzes kyodo's parsers and request checks with libFuzzer.
#
#   tests/fuzz/run.sh [seconds-per-target]        (default 10)
#
# Installs clang and libFuzzer's runtime if missing, configures a separate
# clang build in build-fuzz (KYODO_FUZZ=ON, AddressSanitizer and
# UndefinedBehaviorSanitizer, warnings not fatal: the gcc build keeps
# -Werror), builds only the fuzz targets, and runs each for the given time
# starting from tests/fuzz/corpus/<target>/. New inputs the fuzzer finds go
# to a temporary folder, never into the repository. Prints execs/s per
# target; on a crash prints the reproducer (as base64 and the command that
# replays it) and exits non-zero. Environment: FUZZ_TARGETS="filter jwt"
# to run some targets only, FUZZ_JOBS (default 2) for the build,
# FUZZ_BUILD_DIR to fuzz in an existing tree configured with libFuzzer's
# hooks and KYODO_FUZZ=ON (tests/sanitize/run.sh makes one), FUZZ_SEED
# to fix libFuzzer's random seed (the test command sets it, so that what CI
# explores is the same on every run and a finding replays from the seed;
# by hand the seed is random and each run explores anew).
set -euo pipefail

seconds="${1:-10}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: $0 [seconds-per-target]" >&2
  exit 2
fi
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$root/build-fuzz"
targets="${FUZZ_TARGETS:-filter page_token jwt names request}"

need_install=0
command -v clang++ >/dev/null 2>&1 || need_install=1
# libFuzzer's runtime comes with libclang-rt-*-dev.
ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 ||
  need_install=1
if [ "$need_install" = 1 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    clang libclang-rt-dev
fi

if [[ -n "${FUZZ_BUILD_DIR:-}" ]]; then
  # A tree already configured with libFuzzer's hooks and KYODO_FUZZ=ON: the
  # sanitizer build of tests/sanitize/run.sh, which tests/run.sh names here.
  build=$FUZZ_BUILD_DIR
else
  launcher=()
  command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  linker=(-DKYODO_LINKER=)
  command -v ld.mold >/dev/null 2>&1 && linker=(-DKYODO_LINKER=mold)
  sanitize="-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=undefined"
  cmake -S "$root" -B "$build" -G Ninja "${launcher[@]}" "${linker[@]}" \
    -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKYODO_WERROR=OFF -DKYODO_FUZZ=ON \
    "-DCMAKE_CXX_FLAGS=$sanitize -fno-omit-frame-pointer" >/dev/null
fi
binaries=()
for t in $targets; do binaries+=("fuzz_$t"); done
ninja -C "$build" -j "${FUZZ_JOBS:-2}" "${binaries[@]}"

work="$(mktemp -d /tmp/kyodo-fuzz.XXXXXX)"
trap 'rm -rf "$work"' EXIT
# ASan aborts on the first error; UBSan prints a stack and stops too.
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:symbolize=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
failed=0
printf '%-12s %10s %10s %8s  %s\n' target execs execs/s corpus result
for t in $targets; do
  mkdir -p "$work/$t/new" "$work/$t/artifacts"
  log="$work/$t/log"
  set +e
  "$build/tests/fuzz/fuzz_$t" "$work/$t/new" "$root/tests/fuzz/corpus/$t" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$work/$t/artifacts/" \
    ${FUZZ_SEED:+-seed="$FUZZ_SEED"} >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  corpus=$(ls "$work/$t/new" | wc -l)
  crash=$(ls "$work/$t/artifacts" 2>/dev/null | head -1)
  if [ "$rc" = 0 ] && [ -z "$crash" ]; then
    printf '%-12s %10s %10s %8s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "$corpus" ok
    continue
  fi
  failed=1
  printf '%-12s %10s %10s %8s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "$corpus" "CRASH (exit $rc)"
  echo "---- $t: the fuzzer's report" >&2
  grep -v '^#[0-9]*\s*\(NEW\|REDUCE\|pulse\|INITED\|RELOAD\)' "$log" | tail -60 >&2
  if [ -n "$crash" ]; then
    keep="$build/crashes/$t"
    mkdir -p "$keep"
    cp "$work/$t/artifacts/$crash" "$keep/"
    echo "---- $t: reproducer $keep/$crash (base64 below); replay with:" >&2
    echo "     $build/tests/fuzz/fuzz_$t $keep/$crash" >&2
    echo "     (then add it to tests/fuzz/crashes/$t/ with the fix)" >&2
    base64 -w 76 "$keep/$crash" >&2
  fi
done
exit "$failed"
