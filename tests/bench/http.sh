#!/usr/bin/env bash
# GetPartner over the gateway's HTTP/JSON entry (Connect, wrk) against
# GetPartner over gRPC through the gateway (kyodo-load), in the same run,
# at 8 and 32 calls in flight; p99 of each, and the gateway's RSS under the
# HTTP load. docs/BENCHMARKS.md ("HTTP/JSON entry") reports a run.
#
#   tests/bench/http.sh [--build-dir DIR] [--out DIR] [--duration 10s]
#
# Builds nothing: DIR (default build/) must hold the services, kyodoctl,
# kyodo-load and kyodo-bench-seed. Installs wrk and jq (Debian) when
# missing. A throwaway MariaDB and the four services on free ports; stops
# everything it started. Prints a Markdown table; OUT (default
# bench-results/http-DATE) keeps the raw outputs.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/build
out=
duration=10s
while (($#)); do
  case "$1" in
    --build-dir) build=$(cd "$2" && pwd); shift 2 ;;
    --out) out=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "http.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -n "$out" ]] || out=$root/bench-results/http-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
out=$(cd "$out" && pwd)

need() {  # command, Debian package
  command -v "$1" >/dev/null 2>&1 && return
  local sudo=; ((EUID == 0)) || sudo=sudo
  $sudo apt-get update -qq && $sudo apt-get install -y -qq "$2" >/dev/null
}
need wrk wrk
need jq jq
for b in partner-service/partner-service project-service/project-service \
         proposal-service/proposal-service gateway/gateway kyodoctl/kyodoctl \
         tests/bench/load/kyodo-load tests/bench/seed/kyodo-bench-seed; do
  [[ -x "$build/$b" ]] || { echo "http.sh: $build/$b is missing; build it first" >&2; exit 2; }
done
kyodoctl=$build/kyodoctl/kyodoctl

taken=" "
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 12000))
    [[ "$taken" == *" $p "* ]] && continue
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
    taken+="$p "
    REPLY=$p
    return
  done
}

pids=()
tmp=$(mktemp -d /tmp/kyodo-bench-http.XXXXXX)
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  "$root/deploy/local/mariadb.sh" stop "$tmp/mariadb" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_healthy() {  # address, health name
  for _ in $(seq 1 300); do
    KYODO_ADDR=$1 "$kyodoctl" health "$2" >/dev/null 2>&1 && return
    sleep 0.1
  done
  echo "http.sh: $2 at $1 did not become ready" >&2
  tail -20 "$tmp"/*.log >&2
  exit 1
}

free_port; db_port=$REPLY
"$root/deploy/local/mariadb.sh" start "$tmp/mariadb" "$db_port" >/dev/null
head -c 32 /dev/urandom | base64 >"$tmp/jwt.key"
head -c 32 /dev/urandom | base64 >"$tmp/page.key"
"$kyodoctl" token --role=admin --sub=gateway --ttl=24h --jwt_key_file="$tmp/jwt.key" \
  >"$tmp/gateway.token"
token=$(cat "$tmp/gateway.token")
free_port; gw=$REPLY; free_port; http=$REPLY; free_port; pa=$REPLY
free_port; pr=$REPLY; free_port; po=$REPLY
common=(--db_host=127.0.0.1 --db_port="$db_port" --db_user=kyodo
  --db_password_file="$tmp/mariadb/kyodo.password" --jwt_key_file="$tmp/jwt.key"
  --jwt_issuer=kyodo-local --page_token_key_file="$tmp/page.key" --drain=0s
  --shutdown_grace=2s)
start() {  # name, args...
  local name=$1; shift
  "$build/$name/$name" "$@" >>"$tmp/$name.log" 2>&1 &
  pids+=($!)
  REPLY=$!
}
start partner-service --listen="127.0.0.1:$pa" "${common[@]}"
wait_healthy "127.0.0.1:$pa" kyodo.partner.v1.PartnerService
start project-service --listen="127.0.0.1:$pr" "${common[@]}" --partner_addr="127.0.0.1:$pa"
start proposal-service --listen="127.0.0.1:$po" "${common[@]}"
start gateway --listen="127.0.0.1:$gw" --http_listen="127.0.0.1:$http" \
  --jwt_key_file="$tmp/jwt.key" --jwt_issuer=kyodo-local --drain=0s --shutdown_grace=2s \
  --partner_addr="127.0.0.1:$pa" --project_addr="127.0.0.1:$pr" \
  --proposal_addr="127.0.0.1:$po" --service_token_file="$tmp/gateway.token"
gateway_pid=$REPLY
wait_healthy "127.0.0.1:$pr" kyodo.project.v1.ProjectService
wait_healthy "127.0.0.1:$po" kyodo.proposal.v1.ProposalService
wait_healthy "127.0.0.1:$gw" kyodo.gateway.v1.Gateway

# 700 partners (100 per ward); getpartner.jsonl names them all.
"$build/tests/bench/seed/kyodo-bench-seed" --step=rpc --addr="127.0.0.1:$gw" \
  --jwt_key_file="$tmp/jwt.key" --out_dir="$tmp" --templates_per_ward_state=1 \
  --dossier_projects=1 --drafts=1 2>>"$out/seed.log"
cp "$tmp/getpartner.jsonl" "$out/"

# wrk cycles through the same requests, as kyodo-load does.
{
  echo 'local bodies = {}'
  while read -r line; do printf 'bodies[#bodies + 1] = [==[%s]==]\n' "$line"; done <"$tmp/getpartner.jsonl"
  cat <<LUA
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[i])
end
LUA
} >"$tmp/getpartner.lua"

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$gateway_pid/status"; }
rows=()
for n in 8 32; do
  "$build/tests/bench/load/kyodo-load" --addr="127.0.0.1:$gw" \
    --method=PartnerService.GetPartner --requests_file="$tmp/getpartner.jsonl" \
    --jwt_key_file="$tmp/jwt.key" --jwt_issuer=kyodo-local --in_flight="$n" \
    --duration="$duration" --call_deadline=5s >"$out/grpc_$n.json" 2>>"$out/load.log"
  grpc_rps=$(jq '.points[0].calls_per_s' "$out/grpc_$n.json")
  grpc_p99=$(jq '.points[0].p99_ms' "$out/grpc_$n.json")
  grpc_err=$(jq '.points[0].calls - .points[0].ok' "$out/grpc_$n.json")
  peak=0
  wrk -t2 -c"$n" -d"$duration" --latency -s "$tmp/getpartner.lua" \
    "http://127.0.0.1:$http/kyodo.partner.v1.PartnerService/GetPartner" >"$out/http_$n.txt" &
  wrk_pid=$!
  while kill -0 "$wrk_pid" 2>/dev/null; do
    r=$(rss_kib); ((r > peak)) && peak=$r
    sleep 0.2
  done
  wait "$wrk_pid"
  grep -q "Requests/sec" "$out/http_$n.txt" || { echo "http.sh: wrk failed" >&2; exit 1; }
  http_rps=$(awk '/Requests\/sec/ {print $2}' "$out/http_$n.txt")
  http_p99=$(awk '$1 == "99%" {print $2}' "$out/http_$n.txt")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$out/http_$n.txt")
  ratio=$(awk -v h="$http_rps" -v g="$grpc_rps" 'BEGIN {printf "%.2f", h / g}')
  rows+=("| $n | $(printf '%.0f' "$grpc_rps") | $(printf '%.2f' "$grpc_p99") ms | $(printf '%.0f' "$http_rps") | $http_p99 | $ratio | $((peak / 1024)) MiB | ${grpc_err}/${non2xx:-0} |")
done
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$gateway_pid/status")
{
  echo "GetPartner through the gateway, $duration per point, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| in flight | gRPC calls/s | gRPC p99 | HTTP/JSON calls/s | HTTP/JSON p99 | HTTP / gRPC | gateway RSS under HTTP load (peak sample) | errors gRPC/HTTP |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
  printf '%s\n' "${rows[@]}"
  echo
  echo "gateway peak RSS (VmHWM) over the whole run: $((hwm / 1024)) MiB"
} | tee "$out/summary.md"
