# Sourced by the shell tests that run the whole suite as a user would, with
# deploy/local/start.sh (launcher_test.sh, oidc_test.sh, tests/web/run.sh).
#
#   launcher_start SOURCE_DIR BUILD_DIR WORK_DIR FIRST_PORT [SECONDS]
#
# picks a base port from FIRST_PORT upwards whose nine ports (the launcher
# uses base+0 to base+8: deploy/local/start.sh) are free, starts the launcher on it
# in a session of its own (so that its process group can be signalled) with
# the data in WORK_DIR/data, its output in WORK_DIR/out and the services'
# clock moved by WORK_DIR/clock (launcher_advance_clock), and returns once
# it prints "kyodo is up". Sets `base` and `launcher_pid`. Calls the
# script's own `fail` if the launcher exits early or is not up in SECONDS
# (default 240). Tests start from different FIRST_PORTs, 3,000 ports
# apart, so that ctest can run them side by side; all lie below the
# kernel's ephemeral range (/proc/sys/net/ipv4/ip_local_port_range, 32768
# up), which port-0 servers and outgoing connections of the other tests
# draw from, so a port found free is not taken by them before the launcher
# binds it.
launcher_start() {
  local src=$1 build=$2 work=$3 first=$4 seconds=${5:-240}
  local p free
  base=$((first + (RANDOM % 300) * 10))
  while :; do
    free=1
    for p in $(seq "$base" $((base + 8))); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then free=0; break; fi
    done
    ((free)) && break
    base=$((first + (RANDOM % 300) * 10))
  done
  setsid "$src/deploy/local/start.sh" --no-build --build-dir "$build" \
    --data-dir "$work/data" --base-port "$base" \
    --test-clock-file "$work/clock" >"$work/out" 2>&1 &
  launcher_pid=$!
  local _
  # Polls the launcher's own "up" line (a condition, not a guess at time).
  for _ in $(seq 1 $((seconds * 5))); do
    grep -q "kyodo is up" "$work/out" && return 0
    kill -0 "$launcher_pid" 2>/dev/null || fail "launcher exited early"
    sleep 0.2
  done
  fail "launcher not up after $seconds s"
}

# launcher_advance_clock WORK_DIR DURATION: the services' clock (started by
# launcher_start) is the real time plus DURATION from now on (an absl
# duration, "601s"); replaced by rename, so no service reads half a file.
launcher_advance_clock() {
  printf '%s' "$2" >"$1/clock.new"
  mv "$1/clock.new" "$1/clock"
}

# launcher_stop: asks the launcher started by launcher_start to stop
# (SIGTERM: it stops the suite) and waits up to 10 s for it to exit. For
# the scripts' EXIT traps; does nothing when none was started.
launcher_stop() {
  [[ -n "${launcher_pid:-}" ]] || return 0
  kill -TERM "$launcher_pid" 2>/dev/null || true
  local _
  for _ in $(seq 1 100); do
    kill -0 "$launcher_pid" 2>/dev/null || return 0
    sleep 0.1
  done
}
