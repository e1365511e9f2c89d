#!/usr/bin/env bash
# The production build needs no test package: CMake configures kyodo with
# BUILD_TESTING=OFF, as deploy/docker/Dockerfile does, while GoogleTest and
# Google Benchmark are made unfindable (the image's build stage does not
# install them: deploy/packages.txt, not deploy/test-packages.txt). The
# generated build must hold the five programs, no target under tests/, and
# no link to either library; and the image's compile flags must be the test
# build's. Configure only (seconds); the image build (deploy/test.sh)
# compiles.
#   tests/deploy/production_configure_test.sh [SOURCE_DIR]
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
work=$(mktemp -d -t kyodo-production-configure.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

if ! cmake -S "$root" -B "$work/build" -G Ninja -DBUILD_TESTING=OFF \
  -DCMAKE_DISABLE_FIND_PACKAGE_GTest=ON -DCMAKE_DISABLE_FIND_PACKAGE_benchmark=ON \
  >"$work/configure.log" 2>&1; then
  cat "$work/configure.log" >&2
  fail "a BUILD_TESTING=OFF configure without GoogleTest and Google Benchmark fails"
fi
targets=$(ninja -C "$work/build" -t targets all)
for p in partner-service/partner-service project-service/project-service \
  proposal-service/proposal-service gateway/gateway kyodoctl/kyodoctl; do
  grep -q "^$p:" <<<"$targets" || fail "the production build has no $p"
done
if grep -q '^tests/' <<<"$targets"; then
  grep '^tests/' <<<"$targets" | head >&2
  fail "the production build has targets under tests/"
fi
if grep -Eo 'lib(gtest|gmock|benchmark)[a-z_]*\.(a|so)' "$work/build/build.ninja" | sort -u | grep .; then
  fail "the production build links a test library"
fi
# The image compiles with the test build's optimisation and debug flags, so
# that it reuses that build's ccache entries (docs/OPERATIONS.md, "Images").
flags_of() { grep -o 'CMAKE_CXX_FLAGS_RELWITHDEBINFO=[^"]*' "$1" | head -1; }
local_flags=$(flags_of "$root/deploy/local/build.sh")
image_flags=$(flags_of "$root/deploy/docker/Dockerfile")
[[ -n "$local_flags" && "$local_flags" == "$image_flags" ]] ||
  fail "deploy/local/build.sh ($local_flags) and deploy/docker/Dockerfile ($image_flags) compile with different flags"
echo "ok: production configure needs no test package"
