#!/usr/bin/env bash
# The local overlay's secret files (kept once made), the same as the compose
# stack's but with this overlay's token issuer:
#   deploy/k8s/overlays/local/make-secrets.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
KYODO_JWT_ISSUER=kyodo-local exec "$here/../../../compose/make-secrets.sh" "$here/secrets"
