#!/usr/bin/env bash
# The test command: installs what is missing, builds, starts a throwaway
# MariaDB, runs every test, tears the database down, and exits non-zero if
# anything failed.
#   tests/run.sh [ctest arguments...]      e.g. tests/run.sh -R partner
#
# Each test runs once, where it shows most (docs/CONTRIBUTING.md, "Build
# times"): the whole suite in the AddressSanitizer build, except the static
# checks (ctest label `static`: style, API, manifests and scripts, which run
# no kyodo program) in the gcc build; the tests labelled `optimised` (memory
# bounds) in the gcc build as well; the threaded tests once more under
# ThreadSanitizer. The gcc build (build/, -Werror) compiles the programs,
# the benchmarks and those tests (kyodo_optimised, tests/CMakeLists.txt).
# With ctest arguments, or with KYODO_SANITIZE=0, there is no sanitizer
# build: the gcc build compiles everything and ctest runs there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${KYODO_BUILD_DIR:-$root/build}
sanitize=0
[[ $# -eq 0 && "${KYODO_SANITIZE:-1}" != 0 ]] && sanitize=1

if ((sanitize)); then
  "$root/deploy/local/build.sh" "$build" kyodo_optimised
else
  "$root/deploy/local/build.sh" "$build"
fi

# The test databases' files (this one's, and those of the tests that start a
# server of their own: tests/testing/private_mariadb.cc) go to memory when
# the machine has a writable tmpfs at /dev/shm: the tests create and drop
# thousands of tables, each a file that InnoDB creates, syncs and deletes
# (on ext4 mounted with discard here, each deletion trims the disk). Three
# services' test programs took 28 s instead of 34 s. KYODO_TEST_DB_PARENT
# names another folder.
if [[ -z "${KYODO_TEST_DB_PARENT:-}" ]]; then
  KYODO_TEST_DB_PARENT=${TMPDIR:-/tmp}
  if [[ -d /dev/shm && -w /dev/shm && $(stat -f -c %T /dev/shm) == tmpfs ]]; then
    KYODO_TEST_DB_PARENT=/dev/shm
  fi
fi
export KYODO_TEST_DB_PARENT
db_dir=$(mktemp -d -p "$KYODO_TEST_DB_PARENT" kyodo-test-db.XXXXXX)
cleanup() {
  "$root/deploy/local/mariadb.sh" stop "$db_dir" || true
  rm -rf "$db_dir"
}
trap cleanup EXIT

# A free loopback port for the database.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# Free when asked, not necessarily when the server binds it (another
# process may take it in between): a start that fails is tried on another.
started=""
for _ in 1 2 3; do
  port=$((20000 + RANDOM % 20000))
  until port_free "$port"; do port=$((20000 + RANDOM % 20000)); done
  if "$root/deploy/local/mariadb.sh" start "$db_dir" "$port"; then started=1; break; fi
  "$root/deploy/local/mariadb.sh" stop "$db_dir" >/dev/null 2>&1 || true
done
[[ -n "$started" ]] || { echo "run.sh: the test database did not start" >&2; exit 1; }

# Its two accounts (deploy/local/mariadb.sh): tests create, migrate and drop
# schemas as the migrating one; services under test run as the serving one.
export KYODO_TEST_DB_HOST=127.0.0.1
export KYODO_TEST_DB_PORT=$port
export KYODO_TEST_DB_USER=kyodo_migrate
export KYODO_TEST_DB_PASSWORD_FILE=$db_dir/kyodo_migrate.password
export KYODO_TEST_DB_SERVING_USER=kyodo
export KYODO_TEST_DB_SERVING_PASSWORD_FILE=$db_dir/kyodo.password
export KYODO_SOURCE_DIR=$root
export KYODO_BUILD_DIR=$build

# Twice KYODO_JOBS tests at a time, four on two cores (KYODO_TEST_JOBS sets
# it): many of them wait on their services, the database or a browser part
# of the time, and the suite is kept passing under `ctest -j4`
# (docs/CONTRIBUTING.md, "Build times"). The sanitizer runs below keep
# KYODO_JOBS (2).
test_jobs=${KYODO_TEST_JOBS:-$((2 * ${KYODO_JOBS:-2}))}
if ((sanitize)); then
  ctest --test-dir "$build" --output-on-failure -j "$test_jobs" -L '^(static|optimised)$'
else
  ctest --test-dir "$build" --output-on-failure -j "$test_jobs" "$@"
fi

# The suite under AddressSanitizer and UBSan with libstdc++'s assertions (a
# separate clang build in build-asan/), then the tests that run the
# services' threads under ThreadSanitizer (build-tsan/); any finding fails
# (docs/RELIABILITY.md, "Sanitizers").
asan_build=${KYODO_SANITIZE_BUILD_DIR:-$root/build-asan}
if ((sanitize)); then
  KYODO_SANITIZE_BUILD_DIR=$asan_build "$root/tests/sanitize/run.sh"
  KYODO_SANITIZER=thread KYODO_SANITIZE_BUILD_DIR=${KYODO_TSAN_BUILD_DIR:-$root/build-tsan} \
    "$root/tests/sanitize/run.sh"
fi

# A short libFuzzer run of every target, in the sanitizer build when it was
# made (it carries libFuzzer's hooks), else in a clang build of its own
# (build-fuzz/); seconds per target in KYODO_FUZZ_SECONDS, default 5, from a
# fixed seed so that every run explores the same way (KYODO_FUZZ_SEED;
# longer runs with random seeds are made by hand, docs/RELIABILITY.md).
# Skipped when ctest was asked for a subset, or with KYODO_SKIP_FUZZ=1.
if [[ $# -eq 0 && "${KYODO_SKIP_FUZZ:-0}" != 1 ]]; then
  fuzz_build=""
  ((sanitize)) && fuzz_build=$asan_build
  FUZZ_SEED=${KYODO_FUZZ_SEED:-20261205} FUZZ_BUILD_DIR=$fuzz_build \
    "$root/tests/fuzz/run.sh" "${KYODO_FUZZ_SECONDS:-5}"
fi
