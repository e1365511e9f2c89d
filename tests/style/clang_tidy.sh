#!/usr/bin/env bash
# Runs clang-tidy with the repository's .clang-tidy over the C++ files of the
# services, the gateway, kyodoctl and common/, and fails on any finding.
#   tests/style/clang_tidy.sh BUILD_DIR            every such file
#   tests/style/clang_tidy.sh BUILD_DIR FILE...    just these (paths from the root)
# BUILD_DIR is a built tree (deploy/local/build.sh): the compile commands
# and ninja's record of each object's headers come from it. The checks and
# the reasons for each one left out are in .clang-tidy; docs/CONTRIBUTING.md,
# "Style", says how to run it on one file.
#
# clang-tidy parses each file with every gRPC and protobuf header it pulls
# in, about 4.5 s of CPU a file here with clang-tidy 22 (12 s with 14, which
# also matched inside those headers). A file that passed is remembered under
# a key made of its own text and every header it includes (their contents
# for the repository's and the generated ones, path, size and time for the
# system's), the configuration, the compile commands and the clang-tidy
# version, in KYODO_TIDY_CACHE (default ~/.cache/kyodo/clang-tidy), so a
# repeated run checks only what changed. Findings are never remembered.
# Environment: KYODO_JOBS (default 2), KYODO_CLANG_TIDY (the program,
# default clang-tidy-22).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:?usage: clang_tidy.sh BUILD_DIR [FILE...]}" && pwd)
shift
cache=${KYODO_TIDY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kyodo/clang-tidy}
mkdir -p "$cache"
[[ -f "$build/compile_commands.json" ]] || {
  echo "clang_tidy: no compile_commands.json in $build" >&2
  exit 1
}
tidy=${KYODO_CLANG_TIDY:-clang-tidy-22}
command -v "$tidy" >/dev/null || {
  echo "clang_tidy: $tidy is not installed (deploy/test-packages.txt lists it)" >&2
  exit 1
}
tmp=$(mktemp -d -t kyodo-tidy.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# Each object's source and headers, as ninja recorded them at the last build:
# "object: #deps ..." then one indented path a line, the source first.
ninja -C "$build" -t deps >"$tmp/deps"
# Sources to check: the given files, or every production .cc of the tree.
if (($#)); then
  printf '%s\n' "$@" >"$tmp/wanted"
else
  (cd "$root" && git ls-files -- 'common/*.cc' 'gateway/*.cc' 'kyodoctl/*.cc' \
    'notifier/*.cc' 'partner-service/*.cc' 'project-service/*.cc' 'proposal-service/*.cc') \
    >"$tmp/wanted"
fi

# One line per (source, header): paths as the build wrote them, made
# absolute.
awk -v build="$build" '
  /^[^ ].*: #deps/ { src = ""; next }
  /^    / {
    p = substr($0, 5)
    if (p !~ /^\//) p = build "/" p
    if (src == "") src = p
    print src "\t" p
  }' "$tmp/deps" >"$tmp/pairs"
# Normalise ../ segments so that sources compare with the wanted list.
awk -F'\t' '
  function norm(p,   n, a, out, i, k) {
    n = split(p, a, "/"); k = 0
    for (i = 1; i <= n; i++) {
      if (a[i] == "" || a[i] == ".") continue
      if (a[i] == "..") { if (k > 0) k--; continue }
      out[++k] = a[i]
    }
    p = ""
    for (i = 1; i <= k; i++) p = p "/" out[i]
    return p
  }
  { print norm($1) "\t" norm($2) }' "$tmp/pairs" >"$tmp/norm"
awk -v root="$root" '{ print root "/" $0 }' "$tmp/wanted" | sort -u >"$tmp/wanted.abs"
missing=$(cut -f1 "$tmp/norm" | sort -u | comm -13 - "$tmp/wanted.abs")
if [[ -n "$missing" ]]; then
  printf 'clang_tidy: not built in %s (build it first): %s\n' "$build" $missing >&2
  exit 1
fi
awk -F'\t' 'NR == FNR { want[$0] = 1; next } ($1 in want)' \
  "$tmp/wanted.abs" "$tmp/norm" >"$tmp/checked"

# A fingerprint per header: contents in the tree (paths relative to it, so
# that clones at other paths share the cache), path, size and time outside.
cut -f2 "$tmp/checked" | sort -u >"$tmp/headers"
grep -e "^$root/" "$tmp/headers" | sed "s|^$root/||" |
  (cd "$root" && xargs -r sha256sum) >"$tmp/prints" || true
grep -v -e "^$root/" "$tmp/headers" | xargs -r stat -c '%s %Y  %n' >>"$tmp/prints"
common=$(
  {
    "$tidy" --version
    cat "$root/.clang-tidy"
    sed "s|$root|ROOT|g" "$build/compile_commands.json"
  } | sha256sum | cut -c1-64
)
# One file per source holding its key's parts; its sha256 is the key.
mkdir "$tmp/keys"
awk -v root="$root" -v common="$common" -v dir="$tmp/keys" '
  NR == FNR { path = substr($0, index($0, "  ") + 2); print_of[path] = $0; next }
  {
    h = $2; sub("^" root "/", "", h)
    if (!(h in print_of)) { h = $2 }
    src = $1; sub("^" root "/", "", src)
    name = src; gsub("/", "%", name)
    if (!(name in seen)) { seen[name] = 1; print common > (dir "/" name) }
    print print_of[h] > (dir "/" name)
  }' "$tmp/prints" "$tmp/checked"
: >"$tmp/todo"
(cd "$tmp/keys" && sha256sum -- *) | while read -r key name; do
  [[ -e "$cache/$key" ]] || printf '%s %s\n' "${name//%//}" "$key" >>"$tmp/todo"
done
ls "$tmp/keys" >"$tmp/sources"
total=$(wc -l <"$tmp/sources")
todo=$(wc -l <"$tmp/todo")

check_one() {
  local src=$1 key=$2 out
  # -Wno-c2y-extensions: clang 22 calls the __COUNTER__ in absl's
  # ABSL_FLAG an extension under the build's -Wpedantic; gcc does not.
  out=$(cd "$root" && "$tidy" -p "$build" --quiet --extra-arg=-Wno-c2y-extensions \
    --header-filter="^$root/(common|gateway|kyodoctl|partner-service|project-service|proposal-service)/" \
    "$src" 2>&1) && { touch "$cache/$key"; return 0; }
  printf '%s\n' "$out" >"$tmp/found.${src//\//_}"
  return 0
}
export -f check_one
export root build cache tmp tidy
xargs -r -P "${KYODO_JOBS:-2}" -L1 bash -c 'check_one "$0" "$1"' <"$tmp/todo"

shopt -s nullglob
found=("$tmp"/found.*)
if ((${#found[@]})); then
  cat "${found[@]}" | grep -E 'warning:|error:' | sort -u >&2
  echo "clang_tidy: findings in ${#found[@]} of $total files (.clang-tidy says which checks and why)" >&2
  exit 1
fi
echo "clang_tidy: $total files clean ($todo checked, $((total - todo)) unchanged since a clean check)"
