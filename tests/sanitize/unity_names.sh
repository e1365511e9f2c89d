#!/usr/bin/env bash
# A unity build (KYODO_UNITY, CMakeLists.txt) compiles a batch of files as
# one translation unit, so their anonymous namespaces become one. Two files
# defining the same name there is a compile error when the signatures are
# the same, but not when they differ: a call in one file can then resolve,
# silently, to the other file's overload (a test's Proposal("a", 1, {})
# took another file's Proposal(name, amount, score) and tested something
# else). This check lists, for every batch of a configured unity build, the
# functions each file defines in an anonymous namespace (or as static), and
# fails when a name is defined in two files of one batch. Such a file is
# named ALONE in its CMakeLists, or the helper gets a name of its own.
#   tests/sanitize/unity_names.sh BUILD_DIR
# tests/sanitize/run.sh runs it after configuring; it reads the batch files
# CMake generates (CMakeFiles/<target>.dir/Unity/unity_<n>_cxx.cxx).
set -euo pipefail
build=${1:?usage: unity_names.sh BUILD_DIR}

# The file-local function names of one file, one per line. A name counts
# when a line at the left margin, inside `namespace {` ... `}  // namespace`
# (clang-format's closing comment) or starting with `static`, names a
# function being defined: `Type Name(` or a wrapped `Name(`, not ending in
# `;`. Macros (all capitals: TEST, MATCHER_P) are not functions.
local_functions() {
  awk '
    /^namespace \{/ { anon = 1; next }
    anon && /^\}  \/\/ namespace/ { anon = 0; next }
    /;[[:space:]]*$/ { next }
    {
      line = $0
      is_static = (line ~ /^static /)
      if (!anon && !is_static) next
      if (line ~ /^[[:space:]]/ || line ~ /^(return|using|namespace|class|struct|enum|template|typedef|#)/) next
      if (match(line, /^([A-Za-z_][A-Za-z0-9_:<>,*& ]*[ *&])?[A-Za-z_][A-Za-z0-9_]*\(/)) {
        head = substr(line, 1, RLENGTH - 1)
        n = split(head, parts, /[ *&]+/)
        name = parts[n]
        if (name ~ /^[A-Z0-9_]+$/ || name ~ /^(operator|if|for|while|switch|sizeof)$/) next
        print name
      }
    }
  ' "$1" | sort -u
}

status=0
while IFS= read -r -d '' batch; do
  files=$(sed -n 's/^#include "\(.*\)"$/\1/p' "$batch")
  [[ $(wc -l <<<"$files") -lt 2 ]] && continue
  declare -A seen=()
  while IFS= read -r file; do
    while IFS= read -r name; do
      [[ -z "$name" ]] && continue
      if [[ -n "${seen[$name]:-}" && "${seen[$name]}" != "$file" ]]; then
        echo "unity: ${name}() is defined in ${seen[$name]} and ${file} (${batch#"$build"/})" >&2
        status=1
      else
        seen[$name]=$file
      fi
    done < <(local_functions "$file")
  done <<<"$files"
  unset seen
done < <(find "$build" -path '*/Unity/unity_*_cxx.cxx' -print0 | sort -z)
if ((status)); then
  echo "unity: name each helper for its file, or list the file as ALONE (cmake/KyodoTargets.cmake)" >&2
fi
exit "$status"
