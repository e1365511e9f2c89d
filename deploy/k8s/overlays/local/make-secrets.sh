#!/usr/bin/env bash
# The local overlay's Secrets, made in the cluster once (existing ones are
# kept): kyodo-db and kyodo-db-migrate (the serving and migrating MariaDB
# accounts' passwords), kyodo-jwt (the HS256 signing key),
# kyodo-page-token (the page-token key), each random. Needs kubectl with a
# context on the cluster, and no image: the gateway mints its own token
# when it starts (gateway-token.yaml).
#
#   deploy/k8s/overlays/local/make-secrets.sh           # then: kubectl apply -k deploy/k8s/overlays/local
#   deploy/k8s/overlays/local/make-secrets.sh --print   # the Secrets' YAML with fresh values; no cluster
#
# Environment: KYODO_NAMESPACE (kyodo-local, as in kustomization.yaml),
# KUBECTL (kubectl).
set -euo pipefail
namespace=${KYODO_NAMESPACE:-kyodo-local}
kubectl=${KUBECTL:-kubectl}
print=0
if [[ "${1:-}" == --print ]]; then print=1; fi

random() { head -c "$1" /dev/urandom | base64 | tr -d '/+=\n'; }
secret() {  # secret NAME KEY BYTES: the Secret's YAML
  "$kubectl" create secret generic "$1" --namespace="$namespace" \
    --from-file="$2=/dev/stdin" --dry-run=client -o yaml < <(random "$3") |
    sed '/^  creationTimestamp: null$/d'
}
secrets=("kyodo-db password 24" "kyodo-db-migrate password 24" "kyodo-jwt jwt.key 48" "kyodo-page-token page_token.key 48")

if ((print)); then
  first=1
  for s in "${secrets[@]}"; do
    ((first)) || echo ---
    first=0
    # shellcheck disable=SC2086
    secret $s
  done
  exit 0
fi

"$kubectl" create namespace "$namespace" --dry-run=client -o yaml | "$kubectl" apply -f - >/dev/null
for s in "${secrets[@]}"; do
  read -r name _ _ <<<"$s"
  if "$kubectl" --namespace="$namespace" get secret "$name" >/dev/null 2>&1; then
    echo "make-secrets: $namespace/$name exists; kept"
  else
    # shellcheck disable=SC2086
    secret $s | "$kubectl" apply -f - >/dev/null
    echo "make-secrets: $namespace/$name made"
  fi
done
