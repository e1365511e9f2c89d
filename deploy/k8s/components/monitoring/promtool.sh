#!/usr/bin/env bash
# promtool for the monitoring checks (deploy/test.sh, and the test command's
# monitoring.rules tests, tests/deploy/monitoring_rules_test.sh):
#
#   promtool.sh STATE_DIR            prints the path of a promtool
#   promtool.sh STATE_DIR ARGS...    runs promtool ARGS... here
#
# The promtool on PATH when there is one; otherwise Debian's package
# prometheus, downloaded with apt-get and unpacked (not installed:
# installing it starts a Prometheus server on a machine with systemd) into
# STATE_DIR/debian-prometheus, once.
set -euo pipefail
state=${1:?usage: promtool.sh STATE_DIR [ARGS...]}
shift
promtool=$(command -v promtool || true)
if [[ -z "$promtool" ]]; then
  mkdir -p "$state"
  promtool=$(cd "$state" && pwd)/debian-prometheus/root/usr/bin/promtool
  if [[ ! -x "$promtool" ]]; then
    # Under a lock: parallel tests share the folder.
    exec 9>"$state/debian-prometheus.lock"
    flock 9
    if [[ ! -x "$promtool" ]]; then
      # Unpacked beside, then renamed into place: a test that checks
      # without the lock never runs a promtool still being written ("Text
      # file busy").
      unpack=$state/debian-prometheus.$$
      rm -rf "$state/debian-prometheus" "$unpack" && mkdir -p "$unpack"
      (cd "$unpack" && apt-get download prometheus >/dev/null 2>&1 &&
       dpkg-deb -x prometheus_*.deb root) || {
        rm -rf "$unpack"
        echo "promtool.sh: cannot fetch Debian's prometheus (promtool)" >&2
        exit 1
      }
      mv "$unpack" "$state/debian-prometheus"
    fi
    exec 9>&-
  fi
fi
if (($# == 0)); then
  echo "$promtool"
else
  exec "$promtool" "$@"
fi
