#!/usr/bin/env bash
# Installs the Debian packages kyodo needs (when missing) and builds it.
#   deploy/local/build.sh [BUILD_DIR [TARGET...]]   (default: build/, everything)
# TARGETs are ninja's: kyodo_programs (the programs only; the launcher),
# kyodo_optimised (those, the benchmarks and the tests labelled optimised;
# tests/run.sh), or any target of the tree.
# Environment: KYODO_BUILD_TYPE (default RelWithDebInfo), KYODO_JOBS
# (default 2), KYODO_SKIP_APT=1 to never call apt-get.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
targets=("${@:2}")

# What builds the programs, and what the tests (built here too) and the
# local launcher add; the image installs only the first list.
missing=()
while read -r pkg; do
  [[ -z "$pkg" || "$pkg" == \#* ]] && continue
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done < <(cat "$root/deploy/packages.txt" "$root/deploy/test-packages.txt")
if ((${#missing[@]})) && [[ "${KYODO_SKIP_APT:-0}" != 1 ]]; then
  echo "kyodo: installing ${missing[*]}" >&2
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# mold links (KYODO_LINKER, CMakeLists.txt) when it is there; it is one of
# the test packages.
# An empty value resets a build folder configured while mold was there.
linker=(-DKYODO_LINKER=)
command -v ld.mold >/dev/null && linker=(-DKYODO_LINKER=mold)
# ccache keys its entries on paths relative to the clone and not on the
# build folder's own path, so that clones at other paths, and the image
# build of deploy/docker/Dockerfile (which compiles in /src/build with the
# same settings), reuse what this build compiled.
# ccache keys on the locale too (it can change the compiler's messages):
# the image build's is C.UTF-8, so this one is as well.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
# The test hooks (KYODO_TEST_HOOKS, CMakeLists.txt): this is the build the
# tests run (tests/run.sh); the production image builds without them.
# RelWithDebInfo with line tables only (-g1 in place of -g): backtraces keep
# file and line numbers (a debugger loses the local variables), and a test
# file of gRPC stubs and GoogleTest macros compiles in 70 % of the time (16 s
# instead of 23 s for tests/integration/round_test.cc; docs/CONTRIBUTING.md,
# "Build times"). The image build (deploy/docker/Dockerfile) compiles with
# the same flags, so that it can reuse this build's ccache entries.
# KYODO_BUILD_TYPE=Debug gives a debugger everything. The test programs' own
# files compile at -O0 (KYODO_TEST_COMPILE_OPTIONS, as in the sanitizer
# builds): parsing gRPC's, protobuf's and GoogleTest's headers is most of
# their time, and optimising the assertions they expand into is the rest
# (13 s instead of 20 s for round_test.cc). What they test, the libraries,
# services, gateway and kyodoctl (and the benchmarks), keeps -O2.
cmake -S "$root" -B "$build" -G Ninja -DKYODO_TEST_HOOKS=ON -DKYODO_TEST_COMPILE_OPTIONS=-O0 \
  -DCMAKE_BUILD_TYPE="${KYODO_BUILD_TYPE:-RelWithDebInfo}" \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" "${launcher[@]}" "${linker[@]}" >/dev/null
env -u LC_ALL -u LC_CTYPE -u LC_MESSAGES LANG=C.UTF-8 ninja -C "$build" -j "${KYODO_JOBS:-2}" "${targets[@]}"
