#!/usr/bin/env bash
# One test of protos/check.sh (buf build, lint, breaking), by name:
#   tests/protos/buf_test.sh CASE
# `main` checks the real protos/ and needs every step to pass. Every other
# case seeds one mistake into a copy of protos/ (kyodo/, buf.yaml and the
# released image) and needs the step it names to fail for the expected rule
# and for no other (so the failure is the seeded mistake's, not an accident).
# Environment: KYODO_BUILD_DIR, as for protos/check.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
check=$root/protos/check.sh
case=${1:?usage: buf_test.sh CASE}

copy=$(mktemp -d -t kyodo-protos.XXXXXX)
trap 'rm -rf "$copy"' EXIT
cp -r "$root/protos/kyodo" "$root/protos/buf.yaml" "$root/protos/released-api.json" "$copy/"
partner=$copy/kyodo/partner/v1/partner_service.proto
project=$copy/kyodo/project/v1/project_service.proto
proposal=$copy/kyodo/proposal/v1/proposal_service.proto

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# seed FILE SED_SCRIPT: edits the copy, and fails if the edit changed nothing
# (the protos moved on and the seed no longer applies).
seed() {
  local file=$1 script=$2
  cp "$file" "$copy/before"
  sed -i -e "$script" "$file"
  ! cmp -s "$copy/before" "$file" || fail "the seed '$script' changed nothing in $file"
}

# expect_failure STEP RULE [ALSO_ALLOWED...]: check.sh STEP on the copy fails,
# says so, reports RULE, and reports no rule other than RULE and ALSO_ALLOWED.
# Leaves check.sh's output in $out.
expect_failure() {
  local step=$1 rule=$2 status=0
  shift 2
  out=$("$check" --protos "$copy" "$step" 2>&1) || status=$?
  echo "$out"
  ((status != 0)) || fail "$step passed on a copy seeded with a $rule mistake"
  grep -qx "protos: $step FAILED" <<<"$out" || fail "no 'protos: $step FAILED' line"
  grep -q " : error $rule : " <<<"$out" || fail "$step did not report $rule"
  local reported
  reported=$(sed -n 's/.* : error \([A-Z_]*\) : .*/\1/p' <<<"$out" | sort -u)
  for r in $reported; do
    [[ " $rule $* " == *" $r "* ]] || fail "$step also reported $r: the copy has another mistake"
  done
}

# expect_pass [STEP...]: check.sh passes on the copy, step by step.
expect_pass() {
  local status=0
  out=$("$check" --protos "$copy" "$@" 2>&1) || status=$?
  echo "$out"
  ((status == 0)) || fail "check.sh $* failed on the copy"
  for step in "$@"; do
    grep -qx "protos: $step passed" <<<"$out" || fail "no 'protos: $step passed' line"
  done
}

case "$case" in
  main)
    out=$("$check" 2>&1) || { echo "$out"; fail "protos/check.sh failed on protos/"; }
    echo "$out"
    for step in build lint breaking; do
      grep -qx "protos: $step passed" <<<"$out" || fail "no 'protos: $step passed' line"
    done ;;

  # --- build: the protos compile ---
  build_unknown_type)
    seed "$partner" 's/optional PartnerKind kind = 2;/optional PartnerKnd kind = 2;/'
    expect_failure build COMPILE
    grep -q 'PartnerKnd' <<<"$out" || fail "the compile error does not name PartnerKnd" ;;

  # --- lint: the project's conventions ---
  lint_package_not_folder)
    # kyodo/seed/v1/ must hold package kyodo.seed.v1.
    seed "$copy/kyodo/seed/v1/seed.proto" 's/^package kyodo\.seed\.v1;/package kyodo.seeds.v1;/'
    expect_failure lint PACKAGE_DIRECTORY_MATCH ;;
  lint_enum_without_comment)
    printf '\nenum Season {\n  SEASON_UNSPECIFIED = 0;\n  SPRING = 1;\n}\n' \
      >>"$copy/kyodo/type/v1/ward.proto"
    expect_failure lint COMMENT_ENUM ;;
  lint_service_without_comment)
    seed "$project" '/^\/\/ Collaboration projects (協働・連携事業) and their lifecycle\.$/d'
    expect_failure lint COMMENT_SERVICE ;;
  lint_field_not_snake_case)
    seed "$partner" 's/optional string legal_form = 7/optional string legalForm = 7/'
    expect_failure lint FIELD_LOWER_SNAKE_CASE ;;
  lint_mutation_without_request_id)
    seed "$project" '/^message CancelProjectRequest {$/,/^}$/{/ request_id = 3 /d}'
    expect_failure lint KYODO_MUTATION_REQUEST_ID
    grep -q 'ProjectService.CancelProject changes state' <<<"$out" ||
      fail "the request_id rule did not name ProjectService.CancelProject" ;;

  # --- breaking: what was released stays compatible ---
  breaking_renumbered_field)
    seed "$partner" 's/optional PartnerKind kind = 2;/optional PartnerKind kind = 22;/'
    expect_failure breaking FIELD_NO_DELETE ;;
  breaking_removed_enum_value)
    seed "$partner" '/^message Partner {$/,/^  }$/{/^    INACTIVE = 2 \[.*\];$/d}'
    expect_failure breaking ENUM_VALUE_NO_DELETE ;;
  breaking_renamed_field_json)
    # Same number and type, so the binary wire is unchanged; but JSON clients
    # send and read "displayName".
    seed "$partner" 's/optional string display_name = 3 \[/optional string title = 3 [/'
    expect_failure breaking FIELD_SAME_JSON_NAME FIELD_SAME_NAME ;;
  breaking_changed_type)
    seed "$proposal" 's/optional int64 budget_yen = 6; /optional int32 budget_yen = 6; /'
    expect_failure breaking FIELD_SAME_TYPE ;;
  breaking_renamed_method)
    seed "$project" 's/rpc CancelProject(CancelProjectRequest)/rpc AbortProject(CancelProjectRequest)/'
    expect_failure breaking RPC_NO_DELETE ;;

  # --- what the policy allows (docs/API_EVOLUTION.md) ---
  breaking_allows_additions)
    # A new field, enum value and method need no new image.
    seed "$partner" 's/^  optional string etag = 17 \(.*\)$/&\n  optional string note = 99;/'
    seed "$partner" 's/^    INACTIVE = 2 \[.*\];$/&\n    SUSPENDED = 3;/'
    seed "$project" 's/^  rpc CancelProject(CancelProjectRequest) returns (Project);$/&\n  rpc ReopenProject(ReopenProjectRequest) returns (Project);/'
    printf '\nmessage ReopenProjectRequest {\n  optional string name = 1;\n  optional string request_id = 2;\n}\n' >>"$project"
    expect_pass build lint breaking ;;
  breaking_new_image_accepts_deliberate_break)
    # A deliberate break passes once the image is rewritten in the same
    # change (and only then).
    seed "$partner" '/^message Partner {$/,/^  }$/{/^    INACTIVE = 2 \[.*\];$/d}'
    expect_failure breaking ENUM_VALUE_NO_DELETE
    cp "$copy/released-api.json" "$copy/old-image.json"
    "$check" --protos "$copy" --write-image
    ! cmp -s "$copy/old-image.json" "$copy/released-api.json" || fail "--write-image changed nothing"
    expect_pass breaking
    # The old image still tells the break.
    out=$("$check" --protos "$copy" --against "$copy/old-image.json" breaking 2>&1) &&
      fail "breaking passed against the old image"
    grep -q ' : error ENUM_VALUE_NO_DELETE : ' <<<"$out" || fail "no ENUM_VALUE_NO_DELETE against the old image" ;;

  *) fail "unknown case $case" ;;
esac
echo "PASS: $case"
