#!/usr/bin/env bash
# The deploy check: what operators run, tested on this machine with podman
# (no Docker engine or Kubernetes cluster needed). Idempotent; run as root.
#
#   deploy/test.sh
#
# 1. Installs what it needs (Debian packages with apt-get; Debian's
#    kubectl 1.20 and, when no promtool is on PATH, Debian's prometheus
#    unpacked, not installed; kubernetes-models and its prometheus-operator
#    and gateway-api models with npm into the build folder).
# 2. Kubernetes: renders every overlay with `kubectl kustomize` from a copy
#    of deploy/k8s as a fresh clone has it (the kubectl on PATH, 1.21 or
#    later for production's components, and Debian's kubectl 1.20 for the
#    overlays without components), validates every object against its
#    schema offline, checks kyodo's rules (deploy/k8s/validate/validate.js)
#    and that both kubectl versions render the same objects; shows the
#    rules refuse a local or untagged image, spec.replicas and a database
#    connection without verified TLS in production; proves that `kustomize edit set image` sets the image every
#    production pod runs; runs the local overlay's make-secrets.sh --print;
#    promtool checks the alert rules and the dashboard's queries and runs
#    the alerts' unit tests.
# 3. Images: makes the base images if missing (deploy/docker/base-images.sh),
#    builds kyodo's image with the real Dockerfile (version and commit from
#    git) and the dev MariaDB image, checks the image (OCI labels, non-root
#    user, only runtime libraries, tini as PID 1)
#    and that `podman stop` ends a service with exit code 0 quickly.
# 4. Compose: starts deploy/compose/compose.yaml with podman-compose (the
#    gateway on a loopback port), waits for the migration step and every
#    health check (the notifier's too, which follows proposal-service's
#    feed with its own credential), makes an authenticated call through
#    the gateway that reaches all three services (kyodoctl from the image,
#    host network), attaches a document to an agreement with kyodoctl,
#    backs up with mariadb-dump, changes, restores and checks (the document
#    comes back byte for byte), reruns the
#    migration step, stops the stack, checks every service stopped with
#    exit code 0, and removes it, leaving no container, network, volume or
#    process behind.
# 5. The production overlay under `podman kube play`: the overlay with the
#    image just built (set with `kustomize edit set image`) and a site
#    overlay for the identity provider (the local one, deploy/local/idp),
#    turned into what podman runs by deploy/k8s/validate/play.js; MariaDB
#    as the pod kyodo-mariadb-primary, requiring TLS; the migration Job's
#    pod migrates over verified TLS, the five Deployments serve (the
#    notifier with its credential from the provider), calls
#    through the gateway reach every service with the provider's token,
#    the public surface answers with the gateway's own credential; then
#    `podman kube down` leaves nothing.
#
# Environment: KYODO_BUILD_DIR (default build/; state goes to
# BUILD_DIR/deploy-test), KYODO_DEPLOY_KEEP=1 leaves the compose stack up
# after the checks (and skips step 5) (for a look; `podman-compose -p kyodo-test ... down -v`
# removes it), KYODO_SKIP_APT=1 never calls apt-get,
# KYODO_DEPLOY_MANIFESTS_ONLY=1 stops after the Kubernetes checks (step 2).
# Prints one line per check and ends with "deploy: N passed, N failed".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${KYODO_BUILD_DIR:-$root/build}
state=$build/deploy-test
mkdir -p "$state"
state=$(cd "$state" && pwd)
image=localhost/kyodo:dev
mariadb_image=localhost/kyodo-mariadb:dev
project=kyodo-test
compose_file=$root/deploy/compose/compose.yaml
started=$(date +%s)

passed=0
failed=0
ok() { echo "ok - $*"; passed=$((passed + 1)); }
not_ok() { echo "FAIL - $*"; failed=$((failed + 1)); }
check() {  # check NAME COMMAND...: runs the command, counts the result
  local name=$1; shift
  if "$@"; then ok "$name"; else not_ok "$name"; fi
}
note() { echo "# $*"; }
finish() {
  echo "deploy: $passed passed, $failed failed"
  ((failed == 0))
}

[[ $(id -u) -eq 0 ]] || { echo "deploy/test.sh: run as root (podman builds and runs as root)" >&2; exit 1; }

# --- 1. What it needs ------------------------------------------------------
packages=(podman runc catatonit golang-github-containernetworking-plugin-dnsname
          debootstrap podman-compose)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# Commands that may come from elsewhere than Debian (Node.js with its npm,
# kubectl): installed only when absent.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
command -v openssl >/dev/null || missing+=(openssl)
command -v kubectl >/dev/null || missing+=(kubernetes-client)
if ((${#missing[@]})) && [[ "${KYODO_SKIP_APT:-0}" != 1 ]]; then
  note "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# podman without systemd, as root: runc, cgroupfs, file events, and ulimits
# this machine allows.
hard_nofile=$(ulimit -Hn)
cat >"$state/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=$hard_nofile:$hard_nofile", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
export CONTAINERS_CONF=$state/containers.conf

# Debian's kubectl 1.20 (kubernetes-client), unpacked beside the kubectl on
# PATH rather than installed over it.
kubectls=()
command -v kubectl >/dev/null && kubectls+=("$(command -v kubectl)")
debian_kubectl=$state/debian-kubectl/root/usr/bin/kubectl
if [[ ! -x "$debian_kubectl" ]]; then
  rm -rf "$state/debian-kubectl" && mkdir -p "$state/debian-kubectl"
  (cd "$state/debian-kubectl" && apt-get download kubernetes-client >/dev/null 2>&1 &&
   dpkg-deb -x kubernetes-client_*.deb root) || note "cannot fetch Debian's kubernetes-client"
fi
if [[ -x "$debian_kubectl" ]] && ! printf '%s\n' "${kubectls[@]}" | grep -qx "$debian_kubectl"; then
  kubectls+=("$debian_kubectl")
fi

# promtool: the one on PATH, or Debian's package prometheus unpacked beside
# the build (deploy/k8s/components/monitoring/promtool.sh, which the test
# command's monitoring.rules tests use too).
promtool=$("$root/deploy/k8s/components/monitoring/promtool.sh" "$state") ||
  note "cannot fetch Debian's prometheus (promtool)"

# kubernetes-models, its prometheus-operator and gateway-api models, ajv and
# js-yaml, from the lock file, in the build folder.
npm_dir=$state/npm
validate=$root/deploy/k8s/validate
"$root/deploy/local/npm-ci.sh" "$validate" "$npm_dir"

# --- 2. Kubernetes manifests -------------------------------------------------
# Rendered from a copy of deploy/k8s, as a fresh clone has it: nothing is
# generated first (the local overlay's Secrets are made in the cluster).
# Debian's kubectl 1.20 (kustomize 2.0) reads no `components:`, so it
# renders only the overlays without them.
k8s=$state/k8s
rm -rf "$k8s" && mkdir -p "$k8s"
cp -r "$root/deploy/k8s/base" "$root/deploy/k8s/components" "$root/deploy/k8s/overlays" "$k8s/"
renders=()
render_ok=1
rendered_by=()
modern_kubectl=""
for kubectl_bin in "${kubectls[@]}"; do
  version=$("$kubectl_bin" version --client 2>/dev/null | grep -oE 'v1\.[0-9]+' | head -1)
  for overlay in local production; do
    if grep -q '^components:' "$k8s/overlays/$overlay/kustomization.yaml" &&
       (( ${version#v1.} < 21 )); then
      note "kubectl $version (kustomize 2.0) cannot read components: $overlay not rendered with it"
      continue
    fi
    out=$state/render-$overlay-$version.yaml
    if "$kubectl_bin" kustomize "$k8s/overlays/$overlay" >"$out" 2>"$out.err"; then
      renders+=("$overlay=$out"); rendered_by+=("$overlay:$version")
      [[ $overlay == production ]] && modern_kubectl=${modern_kubectl:-$kubectl_bin}
    else
      render_ok=0; cat "$out.err" >&2
    fi
  done
done
every_overlay_rendered() {
  ((render_ok)) || return 1
  local overlay
  for overlay in local production; do
    printf '%s\n' "${rendered_by[@]}" | grep -q "^$overlay:" ||
      { echo "$overlay: no kubectl 1.21 or later here to render it" >&2; return 1; }
  done
}
check "kubectl kustomize renders every overlay from a fresh copy (${rendered_by[*]})" \
  every_overlay_rendered
rules=$state/rules
rm -rf "$rules"
check "every object is valid and follows the rules (validate.js)" \
  env NODE_PATH="$npm_dir/node_modules" node "$validate/validate.js" --rules-out="$rules" "${renders[@]}"
production_render=$(printf '%s\n' "${renders[@]}" | sed -n 's/^production=//p' | head -1)
refused() {  # refused SED_EXPRESSION: validate.js fails on the production rendering so changed
  sed "$1" "$production_render" >"$state/render-broken.yaml"
  ! env NODE_PATH="$npm_dir/node_modules" node "$validate/validate.js" \
      production="$state/render-broken.yaml" >/dev/null 2>&1
}
refusals() {
  refused 's|image: registry.example.org/kyodo/kyodo:0.1.0|image: localhost/kyodo:dev|' &&
  refused 's|image: registry.example.org/kyodo/kyodo:0.1.0|image: kyodo|' &&
  refused 's|^  revisionHistoryLimit: 5|  replicas: 3\n  revisionHistoryLimit: 5|' &&
  refused 's|^    required: true|    required: false|' &&
  refused '/KYODO_DB_TLS_CA_FILE/d' &&
  refused 's|mountPath: /var/run/secrets/kyodo/db-ca|mountPath: /var/run/secrets/kyodo/elsewhere|' &&
  refused 's|^  replicas: 1$|  replicas: 2|' &&
  refused 's|^    type: Recreate$|    type: RollingUpdate|' &&
  refused 's|^    - port: 443$|    - port: 8443|'
}
check "validate.js refuses in production a local image, an untagged one, spec.replicas, a MariaDB without required TLS, a service that does not verify it, a CA file not mounted, two notifiers, a notifier rolled over, no way out to the identity provider" refusals

# A release's image: `kustomize edit set image` in a copy of the production
# overlay (kustomize when installed; else validate/set-image.js, which makes
# the same edit), rendered: every kyodo container runs exactly that image.
set_image() {  # set_image DIR NAME=REF
  if command -v kustomize >/dev/null; then (cd "$1" && kustomize edit set image "$2")
  else env NODE_PATH="$npm_dir/node_modules" node "$validate/set-image.js" "$1" "$2"; fi
}
images_are() {  # images_are REF: the production overlay, so edited, runs REF everywhere
  local ref=$1 copy=$state/k8s-release
  rm -rf "$copy" && cp -r "$k8s" "$copy"
  set_image "$copy/overlays/production" "kyodo=$ref" || return 1
  [[ -n "$modern_kubectl" ]] || return 1
  "$modern_kubectl" kustomize "$copy/overlays/production" 2>/dev/null |
    env NODE_PATH="$npm_dir/node_modules" node -e '
      const yaml = require("js-yaml"), images = new Set();
      for (const o of yaml.loadAll(require("fs").readFileSync(0, "utf8"))) {
        const pod = o && o.spec && o.spec.template && o.spec.template.spec;
        for (const c of pod ? [...(pod.initContainers || []), ...pod.containers] : []) images.add(c.image);
      }
      console.log([...images].sort().join("\n"));' >"$state/release-images.txt"
  [[ "$(cat "$state/release-images.txt")" == "$ref" ]] || { cat "$state/release-images.txt" >&2; return 1; }
}
check "kustomize edit set image kyodo=registry.example.org/kyodo/kyodo:9.8.7 is the image every pod runs" \
  images_are registry.example.org/kyodo/kyodo:9.8.7
check "... and so is a digest (kyodo=...@sha256:...)" \
  images_are "registry.example.org/kyodo/kyodo@sha256:$(printf 'kyodo' | sha256sum | cut -d' ' -f1)"
# The whole release step of docs/OPERATIONS.md ("Upgrade"): the image and
# the migration Job's name, then the rendering passes every rule.
release_valid() {
  local copy=$state/k8s-release
  images_are registry.example.org/kyodo/kyodo:9.8.7 || return 1
  sed -i 's/value: kyodo-migrate-.*/value: kyodo-migrate-9-8-7/' "$copy/overlays/production/migrate-job-name.yaml"
  "$modern_kubectl" kustomize "$copy/overlays/production" >"$state/render-release.yaml" 2>/dev/null &&
  env NODE_PATH="$npm_dir/node_modules" node "$validate/validate.js" production="$state/render-release.yaml" >/dev/null &&
  grep -q '^  name: kyodo-migrate-9-8-7$' "$state/render-release.yaml"
}
check "a release (image 9.8.7 and Job kyodo-migrate-9-8-7, as OPERATIONS.md says) renders and passes validate.js" \
  release_valid

# The local overlay's Secrets: made by its script without the image.
local_secrets() {
  local a b
  a=$("$k8s/overlays/local/make-secrets.sh" --print) && b=$("$k8s/overlays/local/make-secrets.sh" --print) &&
  [[ $(grep -c '^kind: Secret$' <<<"$a") == 4 ]] && [[ "$a" != "$b" ]] &&
  grep -q '^  name: kyodo-db$' <<<"$a" && grep -q '^  name: kyodo-db-migrate$' <<<"$a" && grep -q '^  name: kyodo-jwt$' <<<"$a" &&
  grep -q '^  name: kyodo-page-token$' <<<"$a"
}
check "the local overlay's make-secrets.sh makes its four Secrets, random, without the image" local_secrets

# Monitoring: the alert rules and the dashboard's queries parse, and every
# alert fires and stays quiet as its unit tests say.
cp "$root/deploy/k8s/components/monitoring/tests/kyodo-rules.test.yaml" "$rules/" 2>/dev/null || true
promtool_run() {  # promtool_run ARGS...: in the rules folder, its output shown on failure
  (cd "$rules" && "$promtool" "$@") >"$state/promtool.log" 2>&1 || { cat "$state/promtool.log"; return 1; }
}
check "promtool check rules: the PrometheusRule and the dashboard's queries" \
  promtool_run check rules kyodo.rules.yaml dashboard.rules.yaml
check "promtool test rules: each of the $(grep -c -- '- alert:' "$root/deploy/k8s/components/monitoring/prometheus-rule.yaml") alerts fires and stays quiet as tested" \
  promtool_run test rules kyodo-rules.test.yaml

if [[ "${KYODO_DEPLOY_MANIFESTS_ONLY:-0}" == 1 ]]; then
  note "KYODO_DEPLOY_MANIFESTS_ONLY=1: no images, no compose stack"
  finish; exit $?
fi

# --- 3. Images -------------------------------------------------------------
"$root/deploy/docker/base-images.sh" "$state/base" >&2
# The version and commit as a release names them (docs/OPERATIONS.md,
# "Images"): from git when the tree is a clone.
version=$(git -C "$root" describe --tags --always --dirty 2>/dev/null || echo 0.0.0-dev)
revision=$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)
t0=$(date +%s)
# The console's stage installs npm packages from the registry this machine's
# npm is configured with (never a host named in the repository), trusting
# the certificate authorities its npm trusts (its `cafile`, mounted
# read-only for the build's RUN steps: a machine behind a TLS-inspecting
# proxy has that proxy's authority there).
npm_registry=$(npm config get registry 2>/dev/null || true)
npm_cafile=$(npm config get cafile 2>/dev/null || true)
[[ "$npm_cafile" == null || ! -r "$npm_cafile" ]] && npm_cafile=""
npm_ca_args=()
[[ -n "$npm_cafile" ]] && npm_ca_args=(-v "$npm_cafile:/run/kyodo-npm-ca.crt:ro"
  --build-arg NPM_CONFIG_CAFILE=/run/kyodo-npm-ca.crt)
# The compiler stage reuses what deploy/local/build.sh compiled on this
# machine: its ccache directory, lent to the build (deploy/docker/Dockerfile
# says how the keys match).
ccache_args=()
ccache_dir=$(ccache --get-config cache_dir 2>/dev/null || true)
[[ -n "$ccache_dir" && -d "$ccache_dir" ]] &&
  ccache_args=(-v "$ccache_dir:/run/kyodo-ccache" --build-arg WERROR=ON)
# The compiler and console stages build side by side (--jobs 2: 206 s ->
# 174 s here). On a machine that never built the image (a fresh CI run)
# there is no layer a later build could reuse, so none is kept
# (--layers=false: 174 s -> 145 s); where it was built before, the layers
# are kept and reused. docs/CONTRIBUTING.md, "Build times", has the figures.
layer_args=()
podman image exists "$image" || layer_args=(--layers=false)
if podman build --pull=never --network host --jobs 2 "${layer_args[@]}" -f "$root/deploy/docker/Dockerfile" \
     --build-arg VERSION="$version" --build-arg REVISION="$revision" \
     ${npm_registry:+--build-arg NPM_CONFIG_REGISTRY="$npm_registry"} \
     "${npm_ca_args[@]}" "${ccache_args[@]}" \
     --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
     -t "$image" "$root" >"$state/image-build.log" 2>&1; then
  ok "image $image builds with deploy/docker/Dockerfile ($(( $(date +%s) - t0 )) s)"
else
  not_ok "image build (see $state/image-build.log)"; tail -30 "$state/image-build.log"; finish; exit 1
fi
t0=$(date +%s)
if podman build --pull=never --network host -f "$root/deploy/docker/mariadb/Dockerfile" \
     -t "$mariadb_image" "$root/deploy/docker/mariadb" >"$state/mariadb-build.log" 2>&1; then
  ok "image $mariadb_image builds ($(( $(date +%s) - t0 )) s)"
else
  not_ok "MariaDB image build (see $state/mariadb-build.log)"; finish; exit 1
fi
note "image size: $(podman image inspect --format '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}')"
check "the image runs as uid 10001, entry point tini" \
  test "$(podman image inspect --format '{{.Config.User}} {{join .Config.Entrypoint " "}}' "$image")" \
       = "10001:10001 /usr/bin/tini --"
label() { podman image inspect --format "{{index .Labels \"org.opencontainers.image.$1\"}}" "$image"; }
check "the image's OCI labels name version $version and commit ${revision:0:12}" \
  test "$(label version) $(label revision) $(label title)" = "$version $revision kyodo"
check "every program's --version names version $version and commit ${revision:0:12}" \
  podman run --rm --network none "$image" sh -c \
    'for p in partner-service project-service proposal-service gateway notifier kyodoctl; do
       test "$("$p" --version)" = "$p '"$version"' (revision '"$revision"')" || exit 1; done'
check "the image holds the six programs and no compiler" \
  podman run --rm --network none "$image" sh -c \
    'for p in partner-service project-service proposal-service gateway notifier kyodoctl; do
       command -v "$p" >/dev/null || exit 1; done; ! command -v c++ && ! command -v cmake'
check "the image holds the built web console and no node or npm" \
  podman run --rm --network none "$image" sh -c \
    'test -s /usr/share/kyodo/console/index.html &&
     ls /usr/share/kyodo/console/assets/ | grep -q "\.js$" && ! command -v node && ! command -v npm'

# PID 1 and SIGTERM: a gateway (it needs no database) stops at once, exit 0.
sig_dir=$state/sigterm
mkdir -p "$sig_dir" && chmod 755 "$sig_dir"  # throwaway values; the container user reads them
head -c 32 /dev/urandom | base64 >"$sig_dir/jwt.key"
echo placeholder-token >"$sig_dir/gateway.token"
chmod 444 "$sig_dir"/*
podman rm -f -t 0 kyodo-sigterm-test >/dev/null 2>&1 || true
podman run -d --name kyodo-sigterm-test --network none --read-only --cap-drop ALL \
  -v "$sig_dir:/run/secrets/kyodo:ro" "$image" gateway --listen=127.0.0.1:50050 \
  --jwt_key_file=/run/secrets/kyodo/jwt.key --service_token_file=/run/secrets/kyodo/gateway.token \
  --drain=1s --shutdown_grace=2s >/dev/null
for _ in $(seq 1 100); do
  podman logs kyodo-sigterm-test 2>&1 | grep -q '"serving"' && break
  sleep 0.1
done
t0=$(date +%s%N)
podman stop -t 30 kyodo-sigterm-test >/dev/null
stop_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
sig_code=$(podman inspect --format '{{.State.ExitCode}}' kyodo-sigterm-test)
check "podman stop ends a service with exit code 0 in ${stop_ms} ms (SIGTERM through tini)" \
  test "$sig_code" = 0 -a "$stop_ms" -lt 10000
podman rm -f -t 0 kyodo-sigterm-test >/dev/null

# --- 4. The compose stack ------------------------------------------------------
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
gateway_port=$((20000 + RANDOM % 20000))
until port_free "$gateway_port"; do gateway_port=$((20000 + RANDOM % 20000)); done
# The HTTP entry's port too: compose's default (8080) may be taken here.
http_port=$((20000 + RANDOM % 20000))
until port_free "$http_port" && [[ $http_port != "$gateway_port" ]]; do http_port=$((20000 + RANDOM % 20000)); done
secrets=$state/compose-secrets
export KYODO_SECRETS_DIR=$secrets KYODO_GATEWAY_PORT=$gateway_port KYODO_HTTP_PORT=$http_port KYODO_IMAGE=$image \
       KYODO_MARIADB_IMAGE=$mariadb_image
"$root/deploy/compose/make-secrets.sh" "$secrets"
compose() { podman-compose -p "$project" -f "$compose_file" "$@"; }
ctl() {  # kyodoctl from the image, on the host's network (loopback)
  podman run --rm --network host -v "$secrets/jwt.key:/run/secrets/jwt_key:ro" \
    -e KYODO_TOKEN="${token:-}" "$image" kyodoctl "$@"
}
teardown() {
  compose down -v >"$state/compose-down.log" 2>&1 || true
  # podman-compose 1.0 leaves the network behind, and its `down -v` misses
  # the volume (made without the project's label).
  podman network rm -f "${project}_kyodo" >/dev/null 2>&1 || true
  podman volume rm -f "${project}_mariadb-data" >/dev/null 2>&1 || true
  podman rm -f -t 0 kyodo-sigterm-test >/dev/null 2>&1 || true
}
if [[ "${KYODO_DEPLOY_KEEP:-0}" != 1 ]]; then trap teardown EXIT; fi
teardown

t_up=$(date +%s%N)
if ! compose up -d >"$state/compose-up.log" 2>&1; then
  not_ok "podman-compose up (see $state/compose-up.log)"; tail -20 "$state/compose-up.log"
  finish; exit 1
fi
container() { echo "${project}_$1_1"; }
stack_ids=$(podman ps -a -q --no-trunc --filter "label=io.podman.compose.project=$project")

# The migration step ends with 0.
migrated=""
for _ in $(seq 1 300); do
  status=$(podman inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$(container migrate)" 2>/dev/null || true)
  if [[ "$status" == "exited "* ]]; then migrated=${status#exited }; break; fi
  sleep 0.5
done
check "the migration step applied every schema and exited 0" test "$migrated" = 0
[[ "$migrated" == 0 ]] || podman logs "$(container migrate)" 2>&1 | tail -20

# Every health check of the compose file passes (podman has no systemd
# timers here, so the checks are run as compose defines them, by hand).
healthy() {
  local c; c=$(container "$1")
  for _ in $(seq 1 240); do
    podman healthcheck run "$c" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  podman logs "$c" 2>&1 | tail -10 >&2
  return 1
}
for s in mariadb partner-service project-service proposal-service gateway notifier; do
  check "compose health check of $s passes" healthy "$s"
done
# The notifier reached proposal-service's feed with its own credential
# (role notifier) and fixed where it follows from (its health says so too).
check "the notifier follows proposal-service's feed (its JSON log)" \
  sh -c "podman logs $(container notifier) 2>&1 | grep -q '\"msg\":\"notifier: first start, following from now\"'"

# An authenticated call through the gateway that reaches all three services:
# a partner created (forwarded to partner-service), then its profile, which
# the gateway assembles from partner-, project- and proposal-service.
token=$(ctl token --role=admin --sub=deploy-test --jwt_key_file=/run/secrets/jwt_key \
          --jwt_issuer=kyodo-compose)
addr=127.0.0.1:$gateway_port
created=""
for _ in $(seq 1 60); do
  created=$(ctl --addr="$addr" --json call CreatePartner '{"partner": {"kind": "NEIGHBOURHOOD_ASSOCIATION",
    "display_name": "百合丘第一町会", "name_kana": "ゆりがおかだいいちちょうかい", "ward": "ASAO"},
    "request_id": "7d3c1f0e-2b4a-4c6d-8e9f-0a1b2c3d4e5f"}' 2>"$state/call.err") && break
  created=""; sleep 0.5
done
first_call_ms=$(( ($(date +%s%N) - t_up) / 1000000 ))
partner=$(grep -oE 'partners/[a-z0-9]+' <<<"$created" | head -1 || true)
check "CreatePartner through the gateway on 127.0.0.1:$gateway_port" test -n "$partner"
[[ -n "$partner" ]] || cat "$state/call.err"
note "compose up to first answered call: ${first_call_ms} ms"
profile=$(ctl --addr="$addr" --json call GetPartnerProfile "{\"name\": \"$partner\"}" 2>&1 || true)
check "GetPartnerProfile through the gateway answers with the partner" \
  grep -q '百合丘第一町会' <<<"$profile"
for pair in partner-service:GetPartner project-service:ListProjects proposal-service:ListProposals; do
  check "${pair%%:*} answered ${pair#*:} for the gateway (its JSON log)" \
    sh -c "podman logs $(container "${pair%%:*}") 2>&1 | grep -q '\"method\":\"${pair#*:}\",\"code\":\"OK\"'"
done
check "a call without a token is refused (UNAUTHENTICATED, exit 26)" \
  sh -c "podman run --rm --network host $image kyodoctl --addr=$addr call ListPartners '{}' >/dev/null 2>&1; test \$? = 26"

# The two database accounts (docs/OPERATIONS.md, "Database accounts"): the
# services' one reads and appends to the audit trail but cannot rewrite it or
# change the schema.
as_serving() {
  podman exec "$(container mariadb)" sh -c \
    "mariadb -h 127.0.0.1 -u kyodo -p\"\$(cat /run/secrets/db_password)\" kyodo_partner -e \"$1\"" 2>&1 || true
}
check "the serving account reads the audit trail" \
  grep -q "CreatePartner" <<<"$(as_serving 'SELECT method FROM audit_events')"
check "the serving account cannot rewrite the audit trail" \
  grep -q "UPDATE command denied" <<<"$(as_serving "UPDATE audit_events SET actor = 'x'")"
check "the serving account cannot change the schema" \
  grep -q "DROP command denied" <<<"$(as_serving 'DROP TABLE partners')"

# A document (docs/API.md, "Documents"): an agreement's 協定書 attached from
# a file with kyodoctl through the gateway (the image's libmagic detects
# its type); it must come back from the backup byte for byte.
files=$state/files
mkdir -p "$files" && chmod 777 "$files"
ctl_files() {  # kyodoctl with $files at /files (the image runs as uid 10001)
  podman run --rm --network host -v "$files:/files" -e KYODO_TOKEN="${token:-}" \
    "$image" kyodoctl "$@"
}
{ printf '%%PDF-1.4\n'; head -c 300000 /dev/urandom; printf '\n%%%%EOF\n'; } >"$files/協定書.pdf"
city=$(ctl --addr="$addr" --json call CreatePartner '{"partner": {"kind": "CITY_UNIT",
  "display_name": "麻生区役所地域振興課", "ward": "ASAO"}}' 2>/dev/null |
  grep -oE 'partners/[a-z0-9]+' | head -1 || true)
agreement=$(ctl --addr="$addr" --json call CreateAgreement "{\"agreement\": {\"display_name\":
  \"地域見守りに関する協定\", \"kind\": \"THEME\", \"parties\": [\"$partner\", \"$city\"]}}" \
  2>/dev/null | grep -oE 'agreements/[a-z0-9]+' | head -1 || true)
attached=$(ctl_files --addr="$addr" --json documents attach "$agreement" "/files/協定書.pdf" \
  --kind=OTHER 2>"$state/attach.err" || true)
document=$(grep -oE 'agreements/[a-z0-9]+/documents/[a-z0-9]+' <<<"$attached" | head -1 || true)
attached_ok() {
  [[ -n "$document" ]] && grep -qE '"content_?[tT]ype": ?"application/pdf"' <<<"$attached"
}
check "kyodoctl attaches a document through the gateway (type from the image's libmagic)" \
  attached_ok
[[ -n "$document" ]] || cat "$state/attach.err"

# Back up, change, restore (docs/OPERATIONS.md, "Back up and restore").
backup=$state/kyodo-backup.sql
# Both as the migrating account: the restore drops and creates tables.
podman exec "$(container mariadb)" sh -c 'mariadb-dump --single-transaction --hex-blob \
  -h 127.0.0.1 -u kyodo_migrate -p"$(cat /run/secrets/db_migrate_password)" \
  --databases kyodo_partner kyodo_project kyodo_proposal kyodo_notifier' >"$backup" 2>"$state/backup.err" || true
check "mariadb-dump backs up the four databases" grep -q '百合丘第一町会' "$backup"
later=$(ctl --addr="$addr" --json call CreatePartner '{"partner": {"kind": "CIVIC_GROUP",
  "display_name": "バックアップ後の会", "name_kana": "ばっくあっぷごのかい", "ward": "ASAO"}}' 2>/dev/null |
  grep -oE 'partners/[a-z0-9]+' | head -1 || true)
podman exec -i "$(container mariadb)" sh -c \
  'mariadb -h 127.0.0.1 -u kyodo_migrate -p"$(cat /run/secrets/db_migrate_password)"' <"$backup" 2>"$state/restore.err" || true
restored() {
  [[ -n "$later" ]] || return 1
  ctl --addr="$addr" call GetPartner "{\"name\": \"$partner\"}" >/dev/null 2>&1 || return 1
  ctl --addr="$addr" call GetPartner "{\"name\": \"$later\"}" >/dev/null 2>&1
  [[ $? == 15 ]]  # NOT_FOUND: made after the backup
}
check "the restore brings back the backup's state" restored
fetched_ok() {
  [[ -n "$document" ]] || return 1
  ctl_files --addr="$addr" documents fetch "$document" --out=/files/fetched.pdf \
    >/dev/null 2>"$state/fetch.err" || return 1
  cmp -s "$files/協定書.pdf" "$files/fetched.pdf"
}
check "the restored document comes back byte for byte (kyodoctl fetch checks its SHA-256)" fetched_ok
compose run -T --rm migrate >"$state/migrate-again.log" 2>&1 || true
check "the migration step runs again after a restore (four schemas, nothing to apply)" \
  test "$(grep -c '"msg":"schema migrated","applied":0' "$state/migrate-again.log")" = 4

if [[ "${KYODO_DEPLOY_KEEP:-0}" == 1 ]]; then
  note "KYODO_DEPLOY_KEEP=1: the stack stays up; gateway on $addr"
  finish; exit $?
fi

# Stop: every service ends with 0 (SIGTERM, drain, stop), then nothing left.
compose stop >"$state/compose-stop.log" 2>&1 || true
for s in partner-service project-service proposal-service gateway notifier mariadb; do
  code=$(podman inspect --format '{{.State.ExitCode}}' "$(container "$s")" 2>/dev/null || echo none)
  check "$s stopped with exit code 0" test "$code" = 0
done
teardown
trap - EXIT
left=$(podman ps -a --filter "label=io.podman.compose.project=$project" --format '{{.Names}}')
check "no container of the stack is left" test -z "$left"
check "no network or volume of the stack is left" sh -c \
  "! podman network ls --format '{{.Name}}' | grep -q '^${project}_' &&
   ! podman volume ls --format '{{.Name}}' | grep -q '^${project}_'"
leftover() {  # a process of the stack's containers or of its network's DNS
  local id
  for id in $stack_ids; do pgrep -f "$id" >/dev/null && return 0; done
  pgrep -f "dnsname/${project}_" >/dev/null
}
no_leftover() { ! leftover; }
check "no process of the stack is left running" no_leftover

# --- 5. The production overlay under podman kube play ---------------------
# `kubectl apply -k deploy/k8s/overlays/production`, as far as podman runs
# it: the image set with `kustomize edit set image` as a release sets it,
# a site overlay on top that sets what each city sets for its identity
# provider (issuer, claim names, token endpoint: here the local provider,
# deploy/local/idp, on this network's gateway address) and points the
# services' addresses at podman's pod names (podman has no Services: a
# Deployment D runs as the pod D-pod-0, which the network's DNS names);
# deploy/k8s/validate/play.js says what else podman 4.3 needs changed (the
# Job as a Pod; Secret and ConfigMap volumes as host folders). MariaDB
# stands in for the operator's: the dev image as the pod
# kyodo-mariadb-primary (the host the overlay names), requiring TLS, its
# certificate from a throwaway CA (tests/deploy/make_test_ca.sh) that the
# Secret kyodo-mariadb-ca-bundle carries, as the operator's does.
play=$state/play
play_network=kyodo-play
idp_pid=""
play_down() {
  local f
  for f in services migrate mariadb; do
    [[ -f "$play/out/$f.yaml" ]] && { podman kube down "$play/out/$f.yaml" >/dev/null 2>&1 || true; }
  done
  podman network rm -f "$play_network" >/dev/null 2>&1 || true
  if [[ -n "$idp_pid" ]]; then kill "$idp_pid" 2>/dev/null || true; wait "$idp_pid" 2>/dev/null || true; fi
  idp_pid=""
}
trap play_down EXIT
play_down
rm -rf "$play" && mkdir -p "$play/out" "$play/files"
podman network create "$play_network" >/dev/null
bridge=$(podman network inspect "$play_network" --format '{{range .Subnets}}{{.Gateway}}{{end}}')
# The Secrets and the ConfigMap the production overlay expects operators to
# create (its kustomization.yaml lists them), one file per key.
put() {  # put NAME KEY FILE (a missing FILE fails in play.js, by name)
  mkdir -p "$play/files/$1" && { cp "$3" "$play/files/$1/$2" 2>/dev/null || echo "no $3" >&2; }
}
random_file() { head -c 24 /dev/urandom | base64 >"$play/$1"; echo "$play/$1"; }
"$root/tests/deploy/make_test_ca.sh" "$play/tls" DNS:kyodo-mariadb-primary >/dev/null
put kyodo-db password "$(random_file db-password)"
put kyodo-db-migrate password "$(random_file db-migrate-password)"
put kyodo-page-token page_token.key "$(random_file page-token)"
put kyodo-mariadb-ca-bundle ca.crt "$play/tls/ca.pem"
mkdir -p "$play/mariadb-files"
cp "$play/tls/ca.pem" "$play/tls/server.pem" "$play/tls/server.key" \
   "$play/db-password" "$play/db-migrate-password" "$play/mariadb-files/"
chmod 755 "$play/mariadb-files" && chmod 444 "$play/mariadb-files"/*

cat >"$play/out/mariadb.yaml" <<DB
apiVersion: v1
kind: Pod
metadata:
  name: kyodo-mariadb-primary
spec:
  containers:
    - name: mariadb
      image: $mariadb_image
      args: [--ssl-ca=/run/kyodo/ca.pem, --ssl-cert=/run/kyodo/server.pem,
             --ssl-key=/run/kyodo/server.key, --require-secure-transport=ON]
      env:
        - {name: KYODO_DB_PASSWORD_FILE, value: /run/kyodo/db-password}
        - {name: KYODO_DB_MIGRATE_PASSWORD_FILE, value: /run/kyodo/db-migrate-password}
      securityContext:
        readOnlyRootFilesystem: true
      volumeMounts:
        - {name: files, mountPath: /run/kyodo, readOnly: true}
        - {name: tmp, mountPath: /tmp}
  volumes:
    - {name: files, hostPath: {path: $play/mariadb-files, type: Directory}}
    - {name: tmp, emptyDir: {medium: Memory}}
DB

kube_play() {  # kube_play FILE: played on the check's network
  podman kube play --network "$play_network" "$1" >"$play/play-$(basename "$1" .yaml).log" 2>&1 ||
    { tail -5 "$play/play-$(basename "$1" .yaml).log" >&2; return 1; }
}
mariadb_up() {
  kube_play "$play/out/mariadb.yaml" || return 1
  for _ in $(seq 1 240); do
    podman exec kyodo-mariadb-primary-mariadb test -S /tmp/mysqld.sock 2>/dev/null &&
      podman logs kyodo-mariadb-primary-mariadb 2>&1 | grep -q 'ready for connections' && return 0
    sleep 0.5
  done
  podman logs kyodo-mariadb-primary-mariadb 2>&1 | tail -10 >&2; return 1
}
check "MariaDB (the dev image as kyodo-mariadb-primary) starts, requiring TLS" mariadb_up

# The provider, on the network's gateway address (which exists once a pod
# has joined the network): its keys, issuer and client secrets are what a
# city's provider gives its operators.
idp_port=$((20000 + RANDOM % 20000))
until port_free "$idp_port"; do idp_port=$((20000 + RANDOM % 20000)); done
issuer=http://$bridge:$idp_port
"$root/deploy/local/idp/run.sh" "$build/idp" serve --state "$play/idp" --port "$idp_port" \
  --host "$bridge" >"$play/idp.log" 2>&1 &
idp_pid=$!
for _ in $(seq 1 240); do
  grep -q 'idp: serving' "$play/idp.log" && break
  kill -0 "$idp_pid" 2>/dev/null || { tail -5 "$play/idp.log" >&2; break; }
  sleep 0.5
done
put kyodo-gateway-client secret "$play/idp/gateway.secret"
put kyodo-public-client secret "$play/idp/public.secret"
put kyodo-notifier-client secret "$play/idp/notifier.secret"
put kyodo-jwks jwks.json "$play/idp/jwks.json"

# The release's image and the city's settings, rendered.
cp -r "$k8s" "$play/k8s"
mkdir -p "$play/k8s/overlays/site"
cat >"$play/k8s/overlays/site/kustomization.yaml" <<SITE
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: kyodo
resources:
  - ../production
configMapGenerator:
  - name: kyodo-common
    behavior: merge
    literals:
      - KYODO_JWT_ISSUER=$issuer
      - KYODO_JWT_ROLE_CLAIM=role
      - KYODO_JWT_WARD_CLAIM=ward
      - KYODO_JWT_PARTNER_CLAIM=partner
      - KYODO_JWT_REVIEWER_CLAIM=reviewer
      - KYODO_PARTNER_ADDR=dns:///partner-service-pod-0.dns.podman:50051
      - KYODO_PROJECT_ADDR=dns:///project-service-pod-0.dns.podman:50052
      - KYODO_PROPOSAL_ADDR=dns:///proposal-service-pod-0.dns.podman:50053
  - name: kyodo-gateway
    behavior: merge
    literals:
      - KYODO_SERVICE_TOKEN_ENDPOINT=$issuer/token
      - KYODO_HTTP_CONSOLE_OIDC_ISSUER=$issuer
  # No mail server here: the notifier's dry run into its pod's /tmp/mail.
  - name: kyodo-notifier
    behavior: merge
    literals:
      - KYODO_SERVICE_TOKEN_ENDPOINT=$issuer/token
      - KYODO_SMTP_URL=
SITE
played() {
  set_image "$play/k8s/overlays/production" "kyodo=$image" &&
  "$modern_kubectl" kustomize "$play/k8s/overlays/site" >"$play/render.yaml" 2>"$play/render.err" &&
  env NODE_PATH="$npm_dir/node_modules" node "$validate/play.js" \
    "$play/render.yaml" "$play/files" "$play/out" >"$play/left-out.txt" 2>"$play/play.err" ||
    { cat "$play/render.err" "$play/play.err" >&2; return 1; }
  grep -q "image: $image" "$play/out/services.yaml" &&
  ! grep -q 'image: registry.example.org' "$play/out/services.yaml" "$play/out/migrate.yaml"
}
check "the production overlay, with kustomize edit set image kyodo=$image and a site overlay, becomes what podman kube play runs" played
note "left to a cluster: $(sed 's|/.*||' "$play/left-out.txt" 2>/dev/null | sort | uniq -c | awk '{printf "%s %s, ", $1, $2}' | sed 's/, $//')"


# The Job's pod: its four containers migrate and exit 0.
job=$(cat "$play/out/migrate-pod.txt" 2>/dev/null || true)
migrated_in_pod() {
  kube_play "$play/out/migrate.yaml" || return 1
  local s c states
  for _ in $(seq 1 300); do
    states=""
    for s in partner-service project-service proposal-service notifier; do
      states+="$(podman inspect --format '{{.State.Status}}:{{.State.ExitCode}}' "$job-$s" 2>/dev/null) "
    done
    [[ "$states" == "exited:0 exited:0 exited:0 exited:0 " ]] && return 0
    sleep 0.5
  done
  echo "migration: $states" >&2
  for c in partner-service project-service proposal-service notifier; do podman logs "$job-$c" 2>&1 | tail -3 >&2; done
  return 1
}
check "the migration Job ($job, as a pod) migrates the four schemas over verified TLS and exits 0" migrated_in_pod

serving() {  # serving DEPLOYMENT PORT SERVICE: its health, asked in its pod
  local c="$1-pod-0-$1"
  for _ in $(seq 1 240); do
    podman exec "$c" kyodoctl --addr="127.0.0.1:$2" --timeout=2s health "$3" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  podman logs "$c" 2>&1 | tail -10 >&2; return 1
}
services_up() {
  kube_play "$play/out/services.yaml" &&
  serving partner-service 50051 kyodo.partner.v1.PartnerService &&
  serving project-service 50052 kyodo.project.v1.ProjectService &&
  serving proposal-service 50053 kyodo.proposal.v1.ProposalService &&
  serving gateway 50050 kyodo.gateway.v1.Gateway &&
  serving notifier 50055 kyodo.notifier.Notifier
}
check "the five Deployments serve (podman kube play; each healthy, asked with kyodoctl in its pod; the notifier follows the feed with its credential from the provider)" services_up

# A call through the gateway with a token from the provider (client
# credentials of kyodo-public: a viewer), verified by every service against
# kyodo-jwks: forwarded to each of the three services.
viewer_token=$(env ISSUER="$issuer" SECRET_FILE="$play/idp/public.secret" node -e '
  const fs = require("fs");
  const auth = Buffer.from("kyodo-public:" + fs.readFileSync(process.env.SECRET_FILE, "utf8").trim()).toString("base64");
  fetch(process.env.ISSUER + "/token", { method: "POST",
    headers: { authorization: "Basic " + auth, "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials&scope=kyodo" })
    .then((r) => r.json()).then((j) => console.log(j.access_token || ""), () => console.log(""));' 2>/dev/null || true)
play_ctl() {
  podman run --rm --network "$play_network" -e KYODO_TOKEN="$viewer_token" "$image" \
    kyodoctl --addr=gateway-pod-0.dns.podman:50050 --timeout=10s "$@"
}
through_gateway() {
  [[ -n "$viewer_token" ]] || { echo "no token from the provider" >&2; return 1; }
  local service method request
  while read -r service method request; do
    play_ctl call "$method" "$request" >"$play/call.out" 2>&1 || { cat "$play/call.out" >&2; return 1; }
    podman logs "$service-pod-0-$service" 2>&1 |
      grep -q "\"method\":\"$method\",\"code\":\"OK\"" || { echo "$service did not answer $method" >&2; return 1; }
  done <<'CALLS'
partner-service ListPartners {}
project-service ListProjects {}
proposal-service ListProposals {"parent":"programmes/-/calls/-"}
CALLS
  # Without a token: refused by the gateway.
  podman run --rm --network "$play_network" "$image" \
    kyodoctl --addr=gateway-pod-0.dns.podman:50050 call ListPartners '{}' >/dev/null 2>&1
  [[ $? == 26 ]]
}
check "calls through the gateway reach each service with the provider's token (and none without)" through_gateway
# The public surface: the gateway's own viewer credential, got with the
# client secret in kyodo-public-client at the provider's token endpoint.
gateway_ip=$(podman inspect "$(podman pod inspect gateway-pod-0 --format '{{.InfraContainerID}}' 2>/dev/null)" \
  --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' 2>/dev/null || true)
public_surface() {
  env URL="http://$gateway_ip:8080/public/v1/calls" node -e '
    fetch(process.env.URL).then(async (r) => {
      const body = await r.text();
      if (r.status !== 200 || !body.trim().startsWith("{")) { console.error(r.status, body.slice(0, 200)); process.exit(1); }
    }, (e) => { console.error(String(e)); process.exit(1); });'
}
check "the public surface answers on the gateway's HTTP port with its own credential from the provider" public_surface
tls_only() {
  local status
  # As the migrating account, over TCP with TLS like the services.
  status=$(podman exec kyodo-mariadb-primary-mariadb sh -c 'mariadb -h kyodo-mariadb-primary \
    -u kyodo_migrate -p"$(cat /run/kyodo/db-migrate-password)" --ssl-ca=/run/kyodo/ca.pem \
    --ssl-verify-server-cert -N -e "$0"' \
    "SELECT @@require_secure_transport, VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS
     WHERE VARIABLE_NAME = 'SSL_ACCEPTS'" 2>&1) || { echo "$status" >&2; return 1; }
  read -r required accepts <<<"$status"
  # 3 migrating containers, 3 services' pools, this query: 7 at least.
  [[ "$required" == 1 && "$accepts" -ge 7 ]] || { echo "$status" >&2; return 1; }
}
check "MariaDB saw only TLS: require_secure_transport on, every service connected" tls_only
play_stopped() {
  play_down
  ! podman pod ps --format '{{.Name}}' | grep -qE '^(partner-service|project-service|proposal-service|gateway|notifier)-pod-0$|^kyodo-(mariadb|migrate)' &&
  ! podman network ls --format '{{.Name}}' | grep -qx "$play_network"
}
check "podman kube down removes every pod and the network" play_stopped
trap - EXIT

note "total $(( $(date +%s) - started )) s"
finish
