#!/usr/bin/env bash
# The measurement behind the choice of HTTP library for the gateway's HTTP
# entry (docs/HTTP.md, "The HTTP library"): the same trivial
# POST /echo (a 60-byte JSON body answered back) served by cpp-httplib,
# libmicrohttpd and civetweb, each loaded by wrk with 8 and 32 connections.
# Prints one line per library and load: calls/s, p99 and the server's peak
# RSS.
#   tests/bench/http_libraries/run.sh [seconds]
# Needs (Debian 12): libcpp-httplib-dev libmicrohttpd-dev libcivetweb-dev wrk
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
seconds=${1:-5}
tmp=$(mktemp -d)
pid=
cleanup() { [[ -n "$pid" ]] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
g++ -O2 -std=c++20 "$here/httplib_echo.cc" -o "$tmp/httplib" -lcpp-httplib -lpthread
g++ -O2 -std=c++20 "$here/microhttpd_echo.cc" -o "$tmp/microhttpd" -lmicrohttpd
g++ -O2 -std=c++20 "$here/civetweb_echo.cc" -o "$tmp/civetweb" -lcivetweb -lpthread
cat >"$tmp/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"name":"partners/0123456789abcdef","view":"FULL"}'
wrk.headers["Content-Type"] = "application/json"
LUA
port=$((20000 + RANDOM % 10000))
for lib in httplib microhttpd civetweb; do
  "$tmp/$lib" "$port" &
  pid=$!
  for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  for c in 8 32; do
    out=$(wrk -t2 -c"$c" -d"${seconds}s" --latency -s "$tmp/post.lua" "http://127.0.0.1:$port/echo")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
    printf '%-11s c=%-3s %10s calls/s  p99 %-8s peak RSS %s KiB\n' "$lib" "$c" "$rps" "$p99" "$rss"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
  port=$((port + 1))
done
