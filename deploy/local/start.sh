#!/usr/bin/env bash
# Starts the whole kyodo suite on this machine: a throwaway MariaDB in a data
# folder of its own, the services on loopback ports, and the example data.
# Runs in the foreground; Ctrl-C (or SIGTERM) stops everything it started.
#
#   deploy/local/start.sh [--data-dir DIR] [--base-port N] [--no-build]
#                         [--build-dir DIR] [--no-seed]
#                         [--test-clock-file FILE]
#
# Ports: gateway N, partner N+1, project N+2, proposal N+3, the gateway's
# HTTP/JSON entry N+4, the notifier (health only) N+5, MariaDB N+6, the
# local OpenID provider N+7 (N = 50050). The notifier writes its mails to
# the data folder's mail/ (dry run). The data folder (default .local/)
# keeps the database, the generated secrets, the provider's keys (idp/),
# the mails and the logs between runs; delete it to start afresh. --test-clock-file (a test build's hook,
# docs/CONTRIBUTING.md "Tests") gives the services a clock the caller moves
# by writing a duration into FILE.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
data=$root/.local
base=50050
build=$root/build
do_build=1
do_seed=1
clock_flags=()
while (($#)); do
  case "$1" in
    --data-dir) data=$2; shift 2 ;;
    --base-port) base=$2; shift 2 ;;
    --build-dir) build=$2; shift 2 ;;
    --no-build) do_build=0; shift ;;
    --no-seed) do_seed=0; shift ;;
    --test-clock-file) clock_flags=(--test_clock_file="$2"); shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "start.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

# The programs only (the top CMakeLists.txt's kyodo_programs): the tests are
# half of a whole build's time, and tests/run.sh builds what it needs.
((do_build)) && "$root/deploy/local/build.sh" "$build" kyodo_programs
# The web console (web/, docs/CONSOLE.md), served by the gateway at / of
# its HTTP entry.
((do_build)) && "$root/web/build.sh" "$build"
mkdir -p "$data/logs" "$data/secrets"
data=$(cd "$data" && pwd)
kyodoctl=$build/kyodoctl/kyodoctl

pids=()
stopping=0
stop() {
  trap - INT TERM EXIT
  stopping=1
  echo "kyodo: stopping" >&2
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  "$root/deploy/local/mariadb.sh" stop "$data/mariadb" || true
  echo "kyodo: stopped" >&2
}
trap stop INT TERM EXIT

secret() {  # a random secret file, made once
  [[ -s "$1" ]] || (umask 077; head -c 32 /dev/urandom | base64 >"$1")
}
secret "$data/secrets/jwt.key"
secret "$data/secrets/page_token.key"
rm -f "$data/secrets/gateway.token"  # the year-long token of older versions

# The local OpenID provider (deploy/local/idp): demo accounts for each role,
# signing keys made at first start in $data/idp, their public half in
# $data/idp/jwks.json, which the services verify against.
idp_port=$((base + 7))
issuer=http://127.0.0.1:$idp_port
rm -f "$data/idp/idp.pid"
"$root/deploy/local/idp/run.sh" "$build/idp" serve --state "$data/idp" \
  --port "$idp_port" --console-url "http://127.0.0.1:$((base + 4))" >>"$data/logs/idp.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 1200); do
  [[ -s "$data/idp/idp.pid" ]] && break
  kill -0 "${pids[-1]}" 2>/dev/null || break
  sleep 0.1
done
if [[ ! -s "$data/idp/idp.pid" ]]; then
  why="not serving after 120 s"
  if ! kill -0 "${pids[-1]}" 2>/dev/null; then
    status=0
    wait "${pids[-1]}" || status=$?
    why="exited with status $status"
  fi
  echo "kyodo: the OpenID provider did not start ($why); last log lines:" >&2
  tail -20 "$data/logs/idp.log" >&2
  exit 1
fi

db_port=$((base + 6))
"$root/deploy/local/mariadb.sh" start "$data/mariadb" "$db_port"

# Two database accounts (docs/OPERATIONS.md, "Database accounts"): each
# service's migration step runs first as kyodo_migrate, which may change the
# schema and grants the role kyodo_serving what serving needs; the services
# then run as kyodo (that role only: no DDL, the audit trail append-only).
secret_flags=(
  --jwt_key_file="$data/secrets/jwt.key" --jwt_issuer=kyodo-local
  --page_token_key_file="$data/secrets/page_token.key")
for name in partner-service project-service proposal-service notifier; do
  binary=$build/$name/$name
  [[ -x "$binary" ]] || continue
  "$binary" --migrate_only --db_host=127.0.0.1 --db_port="$db_port" \
    --db_user=kyodo_migrate --db_password_file="$data/mariadb/kyodo_migrate.password" \
    --db_serving_role=kyodo_serving "${secret_flags[@]}" >>"$data/logs/$name.log" 2>&1 || {
    echo "kyodo: the migration step of $name failed; last log lines:" >&2
    tail -20 "$data/logs/$name.log" >&2
    exit 1
  }
done

# HS256 (`kyodoctl token`, issuer kyodo-local) stays for scripts: local
# development only (production: --jwt_production, docs/OPERATIONS.md).
common_flags=(
  --db_host=127.0.0.1 --db_port="$db_port" --db_user=kyodo
  --db_password_file="$data/mariadb/kyodo.password" --migrate=false
  --jwt_jwks_file="$data/idp/jwks.json" --jwt_issuer="kyodo-local,$issuer"
  --jwt_key_file="$data/secrets/jwt.key"
  --page_token_key_file="$data/secrets/page_token.key"
  --reflection --drain=1s --shutdown_grace=5s "${clock_flags[@]}")

# name, port offset, service for health checks
services=(
  "partner-service 1 kyodo.partner.v1.PartnerService"
  "project-service 2 kyodo.project.v1.ProjectService"
  "proposal-service 3 kyodo.proposal.v1.ProposalService"
  "gateway 0 kyodo.gateway.v1.Gateway"
  "notifier 5 kyodo.notifier.Notifier")
started=()
for entry in "${services[@]}"; do
  read -r name offset health <<<"$entry"
  binary=$build/$name/$name
  [[ -x "$binary" ]] || continue
  port=$((base + offset))
  extra=()
  [[ "$name" == gateway ]] && extra=(
    --partner_addr="127.0.0.1:$((base + 1))" --project_addr="127.0.0.1:$((base + 2))"
    --proposal_addr="127.0.0.1:$((base + 3))"
    --service_token_endpoint="$issuer/token"
    --service_client_secret_file="$data/idp/gateway.secret"
    --http_public_client_secret_file="$data/idp/public.secret"
    --http_listen="127.0.0.1:$((base + 4))")
  [[ "$name" == gateway && -s "$build/web/dist/index.html" ]] && extra+=(
    --http_console_dir="$build/web/dist" --http_console_oidc_issuer="$issuer")
  [[ "$name" == project-service ]] && extra=(--partner_addr="127.0.0.1:$((base + 1))"
    --proposal_addr="127.0.0.1:$((base + 3))")
  [[ "$name" == proposal-service ]] && extra=(--partner_addr="127.0.0.1:$((base + 1))"
    --project_addr="127.0.0.1:$((base + 2))")
  # Mail in dry-run mode: each mail a file in $data/mail (docs/OPERATIONS.md,
  # "Mail"); from the events after its first start.
  [[ "$name" == notifier ]] && extra=(--partner_addr="127.0.0.1:$((base + 1))"
    --proposal_addr="127.0.0.1:$((base + 3))"
    --service_token_endpoint="$issuer/token"
    --service_client_secret_file="$data/idp/notifier.secret"
    --mail_dry_run_dir="$data/mail" --mail_from=noreply@kyodo.localhost
    --console_url="http://127.0.0.1:$((base + 4))/")
  "$binary" --listen="127.0.0.1:$port" "${common_flags[@]}" "${extra[@]}" \
    >>"$data/logs/$name.log" 2>&1 &
  pids+=($!)
  started+=("$name:$port:$health")
done

export KYODO_PARTNER_ADDR=127.0.0.1:$((base + 1))
export KYODO_PROJECT_ADDR=127.0.0.1:$((base + 2))
export KYODO_PROPOSAL_ADDR=127.0.0.1:$((base + 3))
export KYODO_GATEWAY_ADDR=127.0.0.1:$base
unset KYODO_ADDR

for entry in "${started[@]}"; do
  IFS=: read -r name port health <<<"$entry"
  for _ in $(seq 1 300); do
    if KYODO_ADDR=127.0.0.1:$port "$kyodoctl" health "$health" >/dev/null 2>&1; then break; fi
    sleep 0.1
  done
  if ! KYODO_ADDR=127.0.0.1:$port "$kyodoctl" health "$health" >/dev/null 2>&1; then
    echo "kyodo: $name did not become ready; last log lines:" >&2
    tail -20 "$data/logs/$name.log" >&2
    exit 1
  fi
done

# The seed's replays rest on stored request ids, which the services purge
# after --request_id_max_age (7 days): a data folder already loaded with
# these very files is not loaded again.
seed_mark="$data/seeded.sha256"
seed_sum=$(cat "$root"/deploy/local/data/*.textproto | sha256sum | cut -d' ' -f1)
if ((do_seed)) && [[ "$(cat "$seed_mark" 2>/dev/null)" != "$seed_sum" ]]; then
  KYODO_TOKEN=$("$kyodoctl" token --role=admin --sub=seed \
    --jwt_key_file="$data/secrets/jwt.key")
  export KYODO_TOKEN
  # One invocation: later files refer to what earlier ones created.
  "$kyodoctl" seed "$root"/deploy/local/data/*.textproto
  # The demo applicants sign in as these associations' partner records.
  entries=()
  for assoc in 例示・さくら台町内会 例示・みずき野自治会; do
    name=$("$kyodoctl" partners search "$assoc" --json | grep -F "\"display_name\":\"$assoc\"" |
      sed -n 's/.*"name":"\(partners\/[a-z0-9]*\)".*/\1/p' | head -1 || true)
    [[ -n "$name" ]] && entries+=("\"$assoc\": \"$name\"")
  done
  ((${#entries[@]})) && (IFS=,; printf '{%s}\n' "${entries[*]}") >"$data/idp/partners.json"
  unset KYODO_TOKEN
  echo "$seed_sum" >"$seed_mark"
fi

cat <<MSG

kyodo is up (data in $data, logs in $data/logs):
$(for entry in "${started[@]}"; do IFS=: read -r name port _ <<<"$entry"; printf '  %-17s 127.0.0.1:%s\n' "$name" "$port"; done)
$(if [[ -x "$build/gateway/gateway" ]]; then printf '  %-17s http://127.0.0.1:%s (docs/HTTP.md)' "HTTP/JSON entry" "$((base + 4))"; fi)
$(if [[ -x "$build/gateway/gateway" && -s "$build/web/dist/index.html" ]]; then printf '  %-17s http://127.0.0.1:%s/ (docs/CONSOLE.md)' "web console" "$((base + 4))"; fi)
$(if [[ -x "$build/notifier/notifier" ]]; then printf '  %-17s %s (each mail a file; docs/OPERATIONS.md, "Mail")' "mails (dry run)" "$data/mail/"; fi)
  MariaDB           127.0.0.1:$db_port (user kyodo serves, kyodo_migrate migrates; passwords in $data/mariadb/)
  OpenID provider   $issuer (demo accounts: admin, asao-staff, iin-1, iin-2,
                    sakuradai, mizukino, viewer; password in $data/idp/demo-password)

In another terminal:
  export PATH=$build/kyodoctl:\$PATH
$(if [[ -x "$build/gateway/gateway" ]]; then
    echo "  export KYODO_ADDR=$KYODO_GATEWAY_ADDR      # the gateway serves every method"
  else
    echo "  export KYODO_PARTNER_ADDR=$KYODO_PARTNER_ADDR KYODO_PROJECT_ADDR=$KYODO_PROJECT_ADDR KYODO_PROPOSAL_ADDR=$KYODO_PROPOSAL_ADDR"
  fi)
  export KYODO_TOKEN=\$(kyodoctl login --issuer=$issuer)   # sign in, e.g. as asao-staff
  kyodoctl partners list
Scripts may mint a local token instead:
  export KYODO_TOKEN=\$(kyodoctl token --role=admin --jwt_key_file=$data/secrets/jwt.key)

Press Ctrl-C to stop everything.
MSG

# Keep running until a signal arrives or a service exits.
wait -n "${pids[@]}" || true
if ((!stopping)); then
  echo "kyodo: a service exited; see $data/logs" >&2
  exit 1
fi
