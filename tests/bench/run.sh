#!/usr/bin/env bash
# The benchmarks of kyodo, in one go, against this machine's floors measured
# in the same run (docs/BENCHMARKS.md explains every figure).
#
#   tests/bench/run.sh [--build-dir DIR] [--out DIR] [--runs N]
#                      [--duration 5s] [--pool-size 8] [--big 1000000]
#                      [--skip-preview] [--hold FILE]
#                      [--service-flag FLAG]...
#
# Builds nothing: DIR (default build/) must hold the services, kyodoctl and
# the bench targets (ninja -C DIR partner-service project-service
# proposal-service gateway kyodoctl kyodo-load kyodo-echo-server
# kyodo-db-floor kyodo-bench-seed proposal_preview_bench).
#
# Each run: a throwaway MariaDB (deploy/local/mariadb.sh) on a free port in a
# temporary folder, the four services (--db_pool_size=N) and the echo floor
# on free ports, seeding (RPCs, then SQL up to 10 thousand and later 1
# million projects), then every measurement; it stops everything it started
# and leaves no process behind. Results go to OUT/runK/*.json; OUT/summary.json
# and OUT/summary.md hold the medians over the runs with their spread, and
# OUT/throughput_p99.png the chart (gnuplot-nox, installed when missing).
# --service-flag FLAG: passed to every service and the gateway (repeatable),
# e.g. --service-flag=--jwt_cache_size=0 to measure without the token cache.
# --hold FILE: after seeding, write the addresses, pids and files of the
# stack to FILE and wait until FILE is removed (to profile a live stack).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/build
out=
runs=1
duration=5s
pool=8
preview=1
big=1000000
hold=
service_flags=()
while (($#)); do
  case "$1" in
    --build-dir) build=$(cd "$2" && pwd); shift 2 ;;
    --out) out=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --pool-size) pool=$2; shift 2 ;;
    --big) big=$2; shift 2 ;;
    --skip-preview) preview=0; shift ;;
    --hold) hold=$2; shift 2 ;;
    --service-flag) service_flags+=("$2"); shift 2 ;;
    --service-flag=*) service_flags+=("${1#--service-flag=}"); shift ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -n "$out" ]] || out=$root/bench-results/$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
out=$(cd "$out" && pwd)

need() {  # command, Debian package
  command -v "$1" >/dev/null 2>&1 && return
  echo "run.sh: installing $2" >&2
  local sudo=; ((EUID == 0)) || sudo=sudo
  $sudo apt-get update -qq && $sudo apt-get install -y -qq "$2" >/dev/null
}
need jq jq
need gnuplot gnuplot-nox
for b in partner-service/partner-service project-service/project-service \
         proposal-service/proposal-service gateway/gateway kyodoctl/kyodoctl \
         tests/bench/load/kyodo-load tests/bench/echo/kyodo-echo-server \
         tests/bench/dbfloor/kyodo-db-floor tests/bench/seed/kyodo-bench-seed; do
  [[ -x "$build/$b" ]] || { echo "run.sh: $build/$b is missing; build it first" >&2; exit 2; }
done
load=$build/tests/bench/load/kyodo-load
seed=$build/tests/bench/seed/kyodo-bench-seed
kyodoctl=$build/kyodoctl/kyodoctl

taken=" "
free_port() {  # sets REPLY to a port nothing listens on, not handed out before
  local p
  while :; do
    # Below the kernel's ephemeral range (32768-60999), where a client
    # socket may hold a port that nothing listens on.
    p=$((20000 + RANDOM % 12000))
    [[ "$taken" == *" $p "* ]] && continue
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
    taken+="$p "
    REPLY=$p
    return
  done
}

# State of the current run, for the cleanup trap.
pids=()
tmp=
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
  if [[ -n "$tmp" ]]; then
    "$root/deploy/local/mariadb.sh" stop "$tmp/mariadb" || true
    rm -rf "$tmp"
    tmp=
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_healthy() {  # address, health name
  for _ in $(seq 1 300); do
    KYODO_ADDR=$1 "$kyodoctl" health "$2" >/dev/null 2>&1 && return
    sleep 0.1
  done
  echo "run.sh: $2 at $1 did not become ready" >&2
  tail -20 "$tmp"/logs/*.log >&2
  exit 1
}

run_once() {  # result folder
  local res=$1
  mkdir -p "$res"
  tmp=$(mktemp -d /tmp/kyodo-bench.XXXXXX)
  mkdir -p "$tmp/logs" "$tmp/req"
  local db_port gw pa pr po pa2 echo_port
  free_port; db_port=$REPLY
  "$root/deploy/local/mariadb.sh" start "$tmp/mariadb" "$db_port" >/dev/null
  # One account for everything here (it migrates at start and seeds with
  # DDL): the migrating one of deploy/local/mariadb.sh.
  local dbpass=$tmp/mariadb/kyodo_migrate.password
  local sql=(mariadb --no-defaults --socket="$tmp/mariadb/mariadbd.sock" -u "$(id -un)")
  "${sql[@]}" -e "CREATE DATABASE bench_floor"
  head -c 32 /dev/urandom | base64 >"$tmp/jwt.key"
  head -c 32 /dev/urandom | base64 >"$tmp/page.key"
  "$kyodoctl" token --role=screener --sub=gateway --ttl=24h --jwt_key_file="$tmp/jwt.key" \
    >"$tmp/gateway.token"

  free_port; gw=$REPLY; free_port; pa=$REPLY; free_port; pr=$REPLY
  free_port; po=$REPLY; free_port; pa2=$REPLY; free_port; echo_port=$REPLY
  local common=(--db_host=127.0.0.1 --db_port="$db_port" --db_user=kyodo_migrate
    --db_password_file="$dbpass" --jwt_key_file="$tmp/jwt.key" --jwt_issuer=kyodo-local
    --page_token_key_file="$tmp/page.key" --drain=0s --shutdown_grace=2s
    --db_pool_size="$pool" ${service_flags[@]+"${service_flags[@]}"})
  declare -gA pid_of=()
  start() {  # name, log, args...
    local name=$1 log=$2; shift 2
    "$build/$name/$name" "$@" >>"$tmp/logs/$log.log" 2>&1 &
    pids+=($!)
    pid_of[$log]=$!
  }
  start partner-service partner --listen="127.0.0.1:$pa" "${common[@]}"
  wait_healthy "127.0.0.1:$pa" kyodo.partner.v1.PartnerService
  start project-service project --listen="127.0.0.1:$pr" "${common[@]}" \
    --partner_addr="127.0.0.1:$pa" --proposal_addr="127.0.0.1:$po"
  start proposal-service proposal --listen="127.0.0.1:$po" "${common[@]}" \
    --partner_addr="127.0.0.1:$pa" --project_addr="127.0.0.1:$pr"
  start gateway gateway --listen="127.0.0.1:$gw" --jwt_key_file="$tmp/jwt.key" \
    --jwt_issuer=kyodo-local --drain=0s --shutdown_grace=2s \
    ${service_flags[@]+"${service_flags[@]}"} \
    --partner_addr="127.0.0.1:$pa" --project_addr="127.0.0.1:$pr" \
    --proposal_addr="127.0.0.1:$po" --service_token_file="$tmp/gateway.token"
  # A second partner-service on the same schema whose pool refuses early:
  # the fail-fast half of the overload claim.
  start partner-service partner-failfast --listen="127.0.0.1:$pa2" "${common[@]}" \
    --migrate=false --db_pool_max_waiters="$pool" --db_pool_max_wait=200ms
  "$build/tests/bench/echo/kyodo-echo-server" --listen="127.0.0.1:$echo_port" \
    >>"$tmp/logs/echo.log" 2>&1 &
  pids+=($!)
  wait_healthy "127.0.0.1:$pr" kyodo.project.v1.ProjectService
  wait_healthy "127.0.0.1:$po" kyodo.proposal.v1.ProposalService
  wait_healthy "127.0.0.1:$gw" kyodo.gateway.v1.Gateway
  wait_healthy "127.0.0.1:$pa2" kyodo.partner.v1.PartnerService

  # --- seeding
  local dbflags=(--db_port="$db_port" --db_user=kyodo_migrate --db_password_file="$dbpass"
    --project_db=kyodo_project)
  local t0=$SECONDS
  "$seed" --step=rpc --addr="127.0.0.1:$gw" --jwt_key_file="$tmp/jwt.key" \
    --out_dir="$tmp/req" 2>>"$res/seed.log"
  "$seed" --step=grow --total=10000 "${dbflags[@]}" 2>>"$res/seed.log"
  "$seed" --step=pages --label=list10k --addr="127.0.0.1:$pr" \
    --jwt_key_file="$tmp/jwt.key" --out_dir="$tmp/req" "${dbflags[@]}" 2>>"$res/seed.log"
  echo "seed_to_10k_s $((SECONDS - t0))" >>"$res/seed.log"
  explain() {  # label
    "${sql[@]}" kyodo_project -e "EXPLAIN $(cat "$tmp/req/$1_mid.sql")" >"$res/$1_explain.txt"
    "${sql[@]}" kyodo_project -N -s -r -e "ANALYZE FORMAT=JSON $(cat "$tmp/req/$1_mid.sql")" \
      >"$res/$1_analyze.json"
    cp "$tmp/req/$1_mid.sql" "$res/$1_query.sql"
  }
  explain list10k
  if [[ -n "$hold" ]]; then
    declare -p pid_of >"$hold"
    cat >>"$hold" <<HOLD
gateway=127.0.0.1:$gw partner=127.0.0.1:$pa project=127.0.0.1:$pr proposal=127.0.0.1:$po
partner_failfast=127.0.0.1:$pa2 echo=127.0.0.1:$echo_port db_port=$db_port
tmp=$tmp
HOLD
    echo "run.sh: holding the stack until $hold is removed" >&2
    while [[ -e "$hold" ]]; do sleep 1; done
  fi

  # --- measurements: kyodo-load LABEL ADDR METHOD REQUESTS ARGS...
  measure() {
    local label=$1 addr=$2 method=$3 requests=$4; shift 4
    "$load" --label="$label" --addr="$addr" --method="$method" \
      --requests_file="$requests" --jwt_key_file="$tmp/jwt.key" --jwt_issuer=kyodo-local \
      --duration="$duration" "$@" >"$res/$label.json" 2>>"$res/load.log"
  }
  # breakdown measure LABEL ...: runs the measurement, then writes
  # LABEL_servers.json: per service and method, the calls and their
  # server-side p50/mean from the "rpc" log lines written meanwhile.
  breakdown() {
    local label=$2 name
    declare -A before=()
    for name in gateway partner project proposal; do
      before[$name]=$(wc -l <"$tmp/logs/$name.log")
    done
    "$@"
    for name in gateway partner project proposal; do
      tail -n +"$((before[$name] + 1))" "$tmp/logs/$name.log" |
        jq -c --arg s "$name" 'select(.msg == "rpc") | {s: $s, m: .method, ms: .ms}'
    done | jq -s 'group_by(.s + "." + .m) | map({
        (.[0].s + "." + .[0].m): {calls: length,
          p50_ms: (map(.ms) | sort | .[length / 2 | floor]),
          mean_ms: (map(.ms) | add / length)}}) | add' >"$res/${label}_servers.json"
  }
  local sweep=1,2,4,8,16,32,64
  echo '{"name": "floor"}' >"$tmp/req/echo.jsonl"
  measure echo "127.0.0.1:$echo_port" kyodo.bench.v1.EchoService.Echo "$tmp/req/echo.jsonl" \
    --in_flight=$sweep
  "$build/tests/bench/dbfloor/kyodo-db-floor" --db_port="$db_port" \
    --db_user=kyodo_migrate --db_password_file="$dbpass" --db_name=bench_floor --threads=1,2,4,8,16 \
    --duration="$duration" >"$res/dbfloor.json" 2>>"$res/load.log"
  "$build/tests/bench/dbfloor/kyodo-db-floor" --db_port="$db_port" \
    --db_user=kyodo_migrate --db_password_file="$dbpass" --db_name=bench_floor --mode=insert --threads=1,8 \
    --duration="$duration" >"$res/dbfloor_write.json" 2>>"$res/load.log"
  # GetPartner: the sweep doubles as the overload test (deadline 1 s; 32 and
  # 64 in flight are 4x and 8x the pool).
  measure getpartner_direct "127.0.0.1:$pa" PartnerService.GetPartner \
    "$tmp/req/getpartner.jsonl" --in_flight=$sweep --call_deadline=1s
  measure getpartner_gateway "127.0.0.1:$gw" PartnerService.GetPartner \
    "$tmp/req/getpartner.jsonl" --in_flight=$sweep --call_deadline=1s
  measure getpartner_failfast "127.0.0.1:$pa2" PartnerService.GetPartner \
    "$tmp/req/getpartner.jsonl" --in_flight=8,16,32,64 --call_deadline=1s
  measure getpartner_open "127.0.0.1:$pa" PartnerService.GetPartner \
    "$tmp/req/getpartner.jsonl" --rate=1000,2000 --call_deadline=1s
  # The dossier and a single GetProject, one call in flight, with the
  # server-side time of every call they made (from the services' logs).
  breakdown measure getproject_gateway "127.0.0.1:$gw" ProjectService.GetProject \
    "$tmp/req/getproject.jsonl" --in_flight=1
  breakdown measure dossier "127.0.0.1:$gw" Gateway.GetProjectDossier \
    "$tmp/req/getproject.jsonl" --in_flight=1
  measure getproject_gateway_8 "127.0.0.1:$gw" ProjectService.GetProject \
    "$tmp/req/getproject.jsonl" --in_flight=8
  measure dossier_8 "127.0.0.1:$gw" Gateway.GetProjectDossier \
    "$tmp/req/getproject.jsonl" --in_flight=8
  measure list10k "127.0.0.1:$pr" ProjectService.ListProjects \
    "$tmp/req/list10k_mid.jsonl" --in_flight=1,8
  # The ward dashboard of a ward and year the grown projects fill (the
  # templates start in FY2020 to FY2025; bulk copies keep their year).
  echo '{"ward": "ASAO", "fiscal_year": 2021}' >"$tmp/req/dashboard.jsonl"
  breakdown measure dashboard10k "127.0.0.1:$gw" Gateway.GetWardDashboard \
    "$tmp/req/dashboard.jsonl" --in_flight=1
  measure submit "127.0.0.1:$gw" Gateway.SubmitProposal "$tmp/req/submit.jsonl" \
    --in_flight=1,8 --duration=3s

  # --- 1 million projects
  t0=$SECONDS
  "$seed" --step=grow --total="$big" "${dbflags[@]}" 2>>"$res/seed.log"
  echo "grow_to_1m_s $((SECONDS - t0))" >>"$res/seed.log"
  "$seed" --step=pages --label=list1m --addr="127.0.0.1:$pr" \
    --jwt_key_file="$tmp/jwt.key" --out_dir="$tmp/req" "${dbflags[@]}" 2>>"$res/seed.log"
  explain list1m
  measure list1m "127.0.0.1:$pr" ProjectService.ListProjects \
    "$tmp/req/list1m_mid.jsonl" --in_flight=1,8
  breakdown measure dashboard1m "127.0.0.1:$gw" Gateway.GetWardDashboard \
    "$tmp/req/dashboard.jsonl" --in_flight=1
  # The open-data export of every published project at 1M, streamed page
  # by page through the gateway: its time and size here, and the serving
  # processes' peak RSS below, which it is included in.
  local export_token t_export
  export_token=$("$kyodoctl" token --role=viewer --sub=bench-export --ttl=2h \
    --jwt_key_file="$tmp/jwt.key")
  t_export=$(date +%s%N)
  KYODO_ADDR="127.0.0.1:$gw" KYODO_TOKEN=$export_token "$kyodoctl" export \
    --dataset=projects --format=csv --timeout=30m --out="$tmp/export1m.csv" \
    2>"$tmp/export.err" || true
  # kyodoctl's progress goes to stderr; keep its last words only.
  tail -c 2000 "$tmp/export.err" | tr '\r' '\n' | tail -3 >"$res/export.log"
  {
    printf '{"export1m": {"seconds": %s, "bytes": %d, "rows": %d}}\n' \
      "$(awk -v ns=$(($(date +%s%N) - t_export)) 'BEGIN {printf "%.1f", ns / 1e9}')" \
      "$(stat -c %s "$tmp/export1m.csv")" "$(($(wc -l <"$tmp/export1m.csv") - 1))"
  } >"$res/export.json"
  rm -f "$tmp/export1m.csv"

  # --- peak RSS of each service, after all of its load
  {
    echo "{"
    local first=1 name
    for name in partner project proposal gateway; do
      ((first)) || echo ","
      first=0
      awk -v n="$name" '/^VmHWM|^VmRSS/ {v[$1]=$2} END {
        printf "\"%s\": {\"vmhwm_kib\": %d, \"vmrss_kib\": %d}", n, v["VmHWM:"], v["VmRSS:"]}' \
        "/proc/${pid_of[$name]}/status"
    done
    echo "}"
  } >"$res/rss.json"

  # Migration 002's table lock at 1M: its fill of project_totals (the
  # statements after its LOCK TABLES but the triggers) run again on the grown
  # tables, timed; and whether the totals the triggers kept through the
  # growth equal that recount from scratch.
  local totals_sum="SELECT CONCAT_WS(' ', COUNT(*), SUM(n), SUM(amount_yen),
    BIT_XOR(CRC32(CONCAT_WS(':', ward, fiscal_year, state, form, n, amount_yen))))
    FROM project_totals WHERE n > 0"
  local kept recounted t_fill fill_ms
  kept=$("${sql[@]}" kyodo_project -N -s -e "$totals_sum")
  t_fill=$(date +%s%N)
  {
    echo "LOCK TABLES projects WRITE, project_wards WRITE, project_totals WRITE;"
    echo "DELETE FROM project_totals;"
    sed -n '/^-- The projects written before this migration/,$p' \
      "$root/project-service/schema/002_project_totals.sql"
  } | "${sql[@]}" kyodo_project
  fill_ms=$((($(date +%s%N) - t_fill) / 1000000))
  recounted=$("${sql[@]}" kyodo_project -N -s -e "$totals_sum")
  printf '{"totals1m": {"fill_ms": %d, "rows": %d, "kept": "%s", "recounted": "%s"}}\n' \
    "$fill_ms" "${recounted%% *}" "$kept" "$recounted" >"$res/totals.json"

  if ((preview)) && [[ -x "$build/tests/bench/proposal/proposal_preview_bench" ]]; then
    KYODO_TEST_DB_HOST=127.0.0.1 KYODO_TEST_DB_PORT=$db_port KYODO_TEST_DB_USER=kyodo_migrate \
      KYODO_TEST_DB_PASSWORD_FILE=$dbpass KYODO_TEST_DB_SERVING_USER=kyodo \
      KYODO_TEST_DB_SERVING_PASSWORD_FILE=$tmp/mariadb/kyodo.password \
      "$build/tests/bench/proposal/proposal_preview_bench" \
      --benchmark_filter='BM_PreviewDecisionRpc|BM_EngineOnTheSameCall' \
      --benchmark_format=json --benchmark_report_aggregates_only=true \
      >"$res/preview.json" 2>>"$res/preview.log"
  fi
  cp "$tmp"/logs/*.log "$res/" 2>/dev/null || true
  # The services' per-call log lines are large; keep their tails only.
  for f in "$res"/partner*.log "$res"/project.log "$res"/proposal.log "$res"/gateway.log; do
    [[ -f "$f" ]] && tail -200 "$f" >"$f.tail" && mv "$f.tail" "$f"
  done
  cleanup
  "$root/tests/bench/summarize.sh" run "$res" >"$res/summary.json"
}

echo "kyodo bench: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) at start" >&2
for k in $(seq 1 "$runs"); do
  echo "kyodo bench: run $k of $runs -> $out/run$k" >&2
  { echo "load_at_start $(cut -d' ' -f1-3 /proc/loadavg)"; } >"$out/machine_run$k.txt"
  run_once "$out/run$k"
  echo "load_at_end $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine_run$k.txt"
done
"$root/tests/bench/summarize.sh" all "$out" >"$out/summary.json"
"$root/tests/bench/summarize.sh" markdown "$out" >"$out/summary.md"
"$root/tests/bench/summarize.sh" chart "$out"
echo "kyodo bench: done; see $out/summary.md" >&2
