#!/usr/bin/env bash
# The monitoring component's rules in the test command
# (deploy/k8s/components/monitoring; docs/OPERATIONS.md, "Monitoring"):
#   tests/deploy/monitoring_rules_test.sh CASE
# check  promtool check rules: the PrometheusRule's groups and the
#        dashboard's queries (as recording rules) parse;
# test   promtool test rules: every alert fires and stays quiet as its unit
#        tests (tests/kyodo-rules.test.yaml) say, and every alert has tests;
# seeded the unit tests fail on a copy whose error-ratio objective was
#        loosened from 1 % to 50 %: they can fail.
# deploy/test.sh runs the same checks on the rendered production overlay.
# promtool comes from deploy/k8s/components/monitoring/promtool.sh (Debian's
# prometheus, unpacked into KYODO_BUILD_DIR/deploy-test once).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
monitoring=$root/deploy/k8s/components/monitoring
build=${KYODO_BUILD_DIR:-$root/build}
case=${1:?usage: monitoring_rules_test.sh check|test|seeded}

work=$(mktemp -d -t kyodo-rules.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
promtool() { (cd "$work" && "$monitoring/promtool.sh" "$build/deploy-test" "$@"); }

# The PrometheusRule's spec is a Prometheus rule file ({groups: ...}):
# everything under `spec:`, two spaces less indented.
sed -n '/^spec:$/,$p' "$monitoring/prometheus-rule.yaml" | sed -e '1d' -e 's/^  //' >"$work/kyodo.rules.yaml"
grep -q '^groups:$' "$work/kyodo.rules.yaml" || fail "no groups under spec: in prometheus-rule.yaml"
node "$root/deploy/k8s/validate/dashboard-rules.js" "$monitoring/dashboards/kyodo.json" >"$work/dashboard.rules.yaml"
cp "$monitoring/tests/kyodo-rules.test.yaml" "$work/"

case $case in
  check)
    promtool check rules kyodo.rules.yaml dashboard.rules.yaml
    ;;
  test)
    promtool test rules kyodo-rules.test.yaml
    # Every alert has at least one unit test that names it.
    for alert in $(sed -n 's/^ *- alert: *//p' "$work/kyodo.rules.yaml"); do
      grep -q "alertname: $alert\$" "$work/kyodo-rules.test.yaml" || fail "alert $alert has no unit test"
    done
    ;;
  seeded)
    cp "$work/kyodo.rules.yaml" "$work/before"
    sed -i -e 's/service:kyodo_rpc_error_ratio:rate5m > 0\.01/service:kyodo_rpc_error_ratio:rate5m > 0.5/' "$work/kyodo.rules.yaml"
    ! cmp -s "$work/before" "$work/kyodo.rules.yaml" || fail "the seed changed nothing: the error-ratio alert moved on"
    promtool check rules kyodo.rules.yaml >/dev/null || fail "the seeded rules do not parse"
    if promtool test rules kyodo-rules.test.yaml >"$work/out" 2>&1; then
      fail "promtool test rules passed with the error-ratio objective at 50 %"
    fi
    grep -q KyodoHighErrorRatio "$work/out" || { cat "$work/out"; fail "the failure does not name KyodoHighErrorRatio"; }
    echo "the unit tests fail on a loosened objective, as they should"
    ;;
  *) fail "unknown case $case" ;;
esac
