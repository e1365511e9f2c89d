#!/usr/bin/env bash
# One whole selection round on the example data, with kyodoctl only: the
# README's walkthrough, runnable. Start the suite first (deploy/local/start.sh).
#
#   deploy/local/walkthrough.sh [--data-dir DIR] [--addr HOST:PORT]
#                               [--window SECONDS] [--build-dir DIR]
#
# 麻生区's ward staff open a call of 麻生区市民提案型事業 whose submission
# window closes WINDOW seconds later (default 60), three example applicants
# submit through the gateway (one asks for more than the cap, is returned for
# correction (補正) and submits a corrected amount), two committee members
# score, the staff follow the committee's progress, preview, decide (finalize: nothing of the outcome is
# public yet), write the committee's score sheets (CSV, in DATA_DIR/
# score-sheets) and publish (which makes the consignment projects), and
# anyone reads the dossier and the open data. Every command is printed
# before it runs.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
data=$root/.local
addr=127.0.0.1:50050
window=60
build=$root/build
while (($#)); do
  case "$1" in
    --data-dir) data=$2; shift 2 ;;
    --addr) addr=$2; shift 2 ;;
    --window) window=$2; shift 2 ;;
    --build-dir) build=$2; shift 2 ;;
    *) echo "walkthrough.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
export PATH=$build/kyodoctl:$PATH KYODO_ADDR=$addr
key=$data/secrets/jwt.key

run() { echo "+ kyodoctl $*" >&2; kyodoctl "$@"; }
# The resource name of the first JSON line on stdin; fails when there is none.
name_of() {
  local name
  name=$(sed -n 's/^{"name":"\([^"]*\)".*/\1/p' | head -1)
  [[ -n "$name" ]] || { echo "walkthrough.sh: nothing found" >&2; return 1; }
  echo "$name"
}
token() { kyodoctl token --jwt_key_file="$key" "$@"; }

staff=$(token --role=ward_staff --ward=ASAO --sub=asao-staff)
export KYODO_TOKEN=$staff

echo "== 1. 麻生区の職員が公募を作る (window: $window s)" >&2
programme=$(run programmes list --json | grep 麻生区市民提案型事業 | name_of)
start=$(date -u +%Y-%m-%dT%H:%M:%SZ)
end=$(date -u -d "+$window seconds" +%Y-%m-%dT%H:%M:%SZ)
call=$(run call CreateCall "{\"parent\": \"$programme\", \"call\": {
  \"display_name\": \"令和8年度 麻生区市民提案型事業 追加募集\", \"fiscal_year\": 2026,
  \"submission_start_time\": \"$start\", \"submission_end_time\": \"$end\",
  \"budget_yen\": 900000, \"max_adoptions\": 2, \"pass_mark\": 60, \"min_reviews\": 2,
  \"criteria\": [{\"display_name\": \"地域課題との関連性\", \"weight\": 3, \"max_score\": 5},
                 {\"display_name\": \"実現可能性\", \"weight\": 2, \"max_score\": 5},
                 {\"display_name\": \"協働の効果\", \"weight\": 1, \"max_score\": 5}]}}" | name_of)
for member in iin-a iin-b; do
  run call CreateReviewer "{\"parent\": \"$call\", \"reviewer\": {
    \"display_name\": \"審査委員 $member\", \"principal\": \"$member\"}}" >/dev/null
done
run calls open "$call"

echo "== 2. 団体が提案を作り、ゲートウェイから提出する (審査資格は自動判定)" >&2
declare -A amount=([例示・さくら台町内会]=400000 [例示・みずき野自治会]=350000
                   [例示・あさお里山の会]=800000)
proposals=()
tokens=()
for applicant in 例示・さくら台町内会 例示・みずき野自治会 例示・あさお里山の会; do
  partner=$(run partners search "$applicant" --json | name_of)
  applicant_token=$(token --role=applicant --partner="$partner" --sub="$applicant")
  proposal=$(KYODO_TOKEN=$applicant_token run call CreateProposal "{\"parent\": \"$call\",
    \"proposal\": {\"applicant\": \"$partner\", \"title\": \"$applicant の地域づくり\",
    \"issue\": \"地域のつながりの希薄化\", \"plan\": \"交流行事と見守り活動\",
    \"requested_amount_yen\": ${amount[$applicant]}}}" | name_of)
  KYODO_TOKEN=$applicant_token run proposals submit "$proposal"
  proposals+=("$proposal")
  tokens+=("$applicant_token")
done

echo "== 2b. 上限を超えた提案を補正に戻し、団体が直して再提出する" >&2
# The correction is due a day later, whatever the window (it does not
# apply to a resubmission).
run proposals return "${proposals[2]}" --deadline="$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)" \
  --note="申請額を初年度の上限(700,000円)以内にしてください"
KYODO_TOKEN=${tokens[2]} run call UpdateProposal "{\"proposal\": {
  \"name\": \"${proposals[2]}\", \"requested_amount_yen\": 650000},
  \"update_mask\": \"requested_amount_yen\"}" >/dev/null
KYODO_TOKEN=${tokens[2]} run proposals submit "${proposals[2]}"

echo "== 3. 締切を待って審査に入る" >&2
until kyodoctl calls close "$call" >/dev/null 2>&1; do sleep 2; done
echo "+ kyodoctl calls close $call" >&2
run calls start-review "$call"

echo "== 4. 審査委員が採点する (3項目)" >&2
scores=("5,4,4" "4,4,3")
for i in 0 1; do
  member=$([[ $i == 0 ]] && echo iin-a || echo iin-b)
  member_token=$(token --role=reviewer --reviewer=$member --sub=$member)
  for proposal in "${proposals[@]}"; do
    KYODO_TOKEN=$member_token run reviews submit "$proposal" --scores="${scores[$i]}" >/dev/null
  done
done
# Who has scored what (○ 採点済み): every proposal has its two reviews.
run reviewers progress "$call"

echo "== 5. 試算、決定（公表まで非公開）、公表と委託事業の作成" >&2
run preview "$call"
run preview "$call" --budget=500000
# What if the committee adopted the first proposal for less (減額採択)?
rulings=$(mktemp)
trap 'rm -f "$rulings"' EXIT
cat >"$rulings" <<JSON
{"rulings": [{"proposal": "${proposals[0]}", "action": "REDUCE",
  "adoptedAmountYen": "300000", "reason": "備品購入費は対象外のため減額"}]}
JSON
run preview "$call" --rulings="$rulings"
run finalize "$call"
# The committee's papers for the minutes (staff only): 審査結果一覧 and each
# member's sheet, as CSV for Excel.
run score-sheets "$call" --dir="$data/score-sheets"
run publish "$call"

echo "== 6. 誰でも見られる結果" >&2
export KYODO_TOKEN=$(token --role=viewer --sub=citizen)
project=$(run projects list --json --filter="source_programme = \"$programme\"" | name_of)
run projects get "$project"
run export --dataset=results --fiscal_year=2026
