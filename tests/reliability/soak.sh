#!/usr/bin/env bash
# The soak: mixed traffic through the gateway for 10 minutes (by default)
# against the whole stack on its own MariaDB, sampling every service's
# resident memory and open file descriptors. Fails when either grows: the
# mean of the last third of the samples may exceed the first third's by at
# most 10% (RSS) or 10 descriptors. Not run by CI (documented in
# docs/RELIABILITY.md).
#
#   tests/reliability/soak.sh [--minutes N] [--build-dir DIR] [--threads N]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/build
minutes=10
threads=4
while (($#)); do
  case "$1" in
    --minutes) minutes=$2; shift 2 ;;
    --build-dir) build=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    *) echo "soak.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
work=$(mktemp -d -t kyodo-soak.XXXXXX)
launcher=
cleanup() {
  [[ -n "$launcher" ]] && kill -TERM "$launcher" 2>/dev/null && wait "$launcher" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
base=$((30000 + (RANDOM % 300) * 10))
until port_free "$base" && port_free $((base + 6)); do base=$((30000 + (RANDOM % 300) * 10)); done

"$root/deploy/local/start.sh" --no-build --build-dir "$build" --data-dir "$work/data" \
  --base-port "$base" >"$work/launcher.out" 2>&1 &
launcher=$!
for _ in $(seq 1 600); do grep -q "kyodo is up" "$work/launcher.out" && break; sleep 0.2; done
grep -q "kyodo is up" "$work/launcher.out" || { cat "$work/launcher.out" >&2; exit 1; }

services=(partner-service project-service proposal-service gateway)
declare -A pid
for s in "${services[@]}"; do pid[$s]=$(pgrep -f "$build/$s/$s .*$work" | head -1); done

"$build/tests/reliability/soak_driver" --addr="127.0.0.1:$base" \
  --jwt_key_file="$work/data/secrets/jwt.key" --seconds=$((minutes * 60)) \
  --threads="$threads" >"$work/driver.out" &
driver=$!
samples=$work/samples
while kill -0 "$driver" 2>/dev/null; do
  for s in "${services[@]}"; do
    rss=$(awk '/VmRSS/ {print $2}' "/proc/${pid[$s]}/status")
    fds=$(ls "/proc/${pid[$s]}/fd" | wc -l)
    echo "$(date +%s) $s $rss $fds" >>"$samples"
  done
  sleep 15
done
wait "$driver" && ok=1 || ok=0
echo "answers by gRPC code: $(cat "$work/driver.out")"

verdict=0
printf '%-17s %12s %12s %10s %10s\n' service rss_first_kb rss_last_kb fds_first fds_last
for s in "${services[@]}"; do
  read -r r1 r3 f1 f3 < <(awk -v s="$s" '$2 == s {n++; r[n]=$3; f[n]=$4}
    END {t=int(n/3); if (t<1) t=1;
         for (i=1;i<=t;i++) {a+=r[i]; c+=f[i]}
         for (i=n-t+1;i<=n;i++) {b+=r[i]; d+=f[i]}
         printf "%d %d %d %d\n", a/t, b/t, c/t, d/t}' "$samples")
  printf '%-17s %12s %12s %10s %10s\n' "$s" "$r1" "$r3" "$f1" "$f3"
  if ((r3 * 10 > r1 * 11 || f3 > f1 + 10)); then verdict=1; fi
done
((ok)) || { echo "soak: some calls failed" >&2; verdict=1; }
((verdict == 0)) && echo "soak: flat" || echo "soak: GROWTH or failures" >&2
exit $verdict
