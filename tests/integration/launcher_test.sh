#!/usr/bin/env bash
# The README's start command end to end: deploy/local/start.sh brings the
# suite up on its own MariaDB with the example data, a client with a local
# token creates, gets, lists, searches and updates partners, the services
# run as the serving database account, the README's selection-round
# walkthrough runs, and stopping the launcher leaves no process behind.
#   launcher_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1
build=$2
work=$(mktemp -d -t kyodo-launcher.XXXXXX)
kyodoctl=$build/kyodoctl/kyodoctl
launcher_pid=
cleanup() {
  launcher_stop  # waits for it to exit
  pkill -KILL -f "$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "--- launcher output" >&2; cat "$work/out" >&2; exit 1; }

# shellcheck source=../testing/launcher.sh
source "$src/tests/testing/launcher.sh"
launcher_start "$src" "$build" "$work" 20000 120

export KYODO_PARTNER_ADDR=127.0.0.1:$((base + 1))
KYODO_TOKEN=$("$kyodoctl" token --role=ward_staff --ward=ASAO --sub=tester \
  --jwt_key_file="$work/data/secrets/jwt.key")
export KYODO_TOKEN

# The example data is there.
"$kyodoctl" partners list --all --json >"$work/partners.json"
grep -q '"display_name":"明治大学"' "$work/partners.json" || fail "example partners missing"
[[ $(wc -l <"$work/partners.json") -ge 40 ]] || fail "fewer than 40 example partners"

created=$("$kyodoctl" call CreatePartner \
  '{"partner":{"kind":"NEIGHBOURHOOD_ASSOCIATION","display_name":"試験町会","name_kana":"しけんちょうかい","ward":"ASAO"}}')
name=$(sed -n 's/.*"name":"\(partners\/[a-z0-9]*\)".*/\1/p' <<<"$created")
[[ -n "$name" ]] || fail "create printed no name: $created"
"$kyodoctl" partners get "$name" | grep -q "試験町会" || fail "get"
"$kyodoctl" partners search "シケン" --json | grep -q "$name" || fail "search by kana"
"$kyodoctl" partners list --filter='ward = ASAO AND kind = NEIGHBOURHOOD_ASSOCIATION' --json \
  | grep -q "$name" || fail "list with filter"
"$kyodoctl" call UpdatePartner "{\"partner\":{\"name\":\"$name\",\"address\":\"川崎市麻生区\"},\"update_mask\":\"address\"}" \
  | grep -q '"address":"川崎市麻生区"' || fail "update"

# The HTTP/JSON entry (docs/HTTP.md) serves the same data to curl.
curl -sS -X POST "http://127.0.0.1:$((base + 4))/kyodo.partner.v1.PartnerService/GetPartner" \
  -H "Authorization: Bearer $KYODO_TOKEN" -H 'Content-Type: application/json' \
  -d "{\"name\": \"$name\"}" | grep -q '"displayName":"試験町会"' || fail "HTTP entry"

# Exit codes scripts can trust.
set +e
"$kyodoctl" partners get partners/doesnotexist >/dev/null 2>&1; rc=$?
set -e
[[ $rc -eq 15 ]] || fail "NOT_FOUND should exit 15, got $rc"
set +e
KYODO_TOKEN= "$kyodoctl" partners list >/dev/null 2>&1; rc=$?
set -e
[[ $rc -eq 26 ]] || fail "UNAUTHENTICATED should exit 26, got $rc"

# Two database accounts (docs/OPERATIONS.md, "Database accounts"): every
# session of the services is the serving account's, which cannot rewrite the
# audit trail the calls above wrote, nor change the schema.
db=(mariadb --no-defaults -h 127.0.0.1 -P "$((base + 6))" -N -s)
sessions=$("${db[@]}" -u kyodo_migrate -p"$(cat "$work/data/mariadb/kyodo_migrate.password")" \
  -e "SELECT DISTINCT user FROM information_schema.processlist WHERE db LIKE 'kyodo\\_%'")
[[ "$sessions" == kyodo ]] || fail "the services' sessions are not all user kyodo: $sessions"
serving=("${db[@]}" -u kyodo -p"$(cat "$work/data/mariadb/kyodo.password")" kyodo_partner)
"${serving[@]}" -e "SELECT COUNT(*) FROM audit_events" | grep -qv '^0$' || fail "no audit events"
denied=$("${serving[@]}" -e "UPDATE audit_events SET actor = 'x'" 2>&1 || true)
grep -q "UPDATE command denied" <<<"$denied" || fail "the serving account may rewrite the audit trail: $denied"
denied=$("${serving[@]}" -e "DROP TABLE partners" 2>&1 || true)
grep -q "DROP command denied" <<<"$denied" || fail "the serving account may drop tables: $denied"

# The README's walkthrough: a whole selection round with kyodoctl only. Its
# call takes submissions for --window seconds from its creation, and three
# applicants must create and submit within it: five minutes, which no loaded
# machine comes near. When it turns to waiting for the window's end (its
# step 3), the services' clock is moved past the end instead of waiting
# (tests/testing/launcher.sh, launcher_advance_clock).
"$src/deploy/local/walkthrough.sh" --data-dir "$work/data" --addr "127.0.0.1:$base" \
  --window 300 --build-dir "$build" >"$work/walkthrough.out" 2>&1 &
walkthrough_pid=$!
for _ in $(seq 1 600); do
  grep -q '^== 3\.' "$work/walkthrough.out" && break
  kill -0 "$walkthrough_pid" 2>/dev/null || break
  sleep 0.2
done
launcher_advance_clock "$work" 301s
wait "$walkthrough_pid" || { cat "$work/walkthrough.out" >&2; fail "walkthrough"; }
grep -q ",1,83.3333,ADOPTED,350000,350000" "$work/walkthrough.out" \
  || { cat "$work/walkthrough.out" >&2; fail "walkthrough results"; }
grep -q "AMOUNT_OVER_CAP" "$work/walkthrough.out" || fail "walkthrough screening"
# The committee's progress: both members scored every proposal.
[[ $(grep -Ec " 2/2 +○ +○ *$" "$work/walkthrough.out") -eq 3 ]] \
  || { cat "$work/walkthrough.out" >&2; fail "walkthrough review progress"; }
# Returned for correction (補正), corrected and resubmitted: ranked third
# of three, after the two cheaper proposals with the same scores.
grep -q "^補正依頼 .*: 申請額を初年度の上限(700,000円)以内にしてください(期限 " \
  "$work/walkthrough.out" || fail "walkthrough return for correction"
grep -q ",3,83.3333,ADOPTION_LIMIT_REACHED,650000," "$work/walkthrough.out" \
  || { cat "$work/walkthrough.out" >&2; fail "walkthrough corrected proposal"; }
grep -q "審査会の判断: .*減額採択 300,000円（理由: 備品購入費は対象外のため減額）" \
  "$work/walkthrough.out" || fail "walkthrough committee ruling"
# The committee's sheets: each criterion's mean over the two members' scores
# (5,4,4 and 4,4,3), as CSV with a BOM for Excel; one sheet per member.
sheets=$work/data/score-sheets
[[ "$(head -c3 "$sheets/審査結果一覧.csv" | od -An -tx1)" == " ef bb bf" ]] \
  || fail "score sheet without a byte-order mark"
grep -q "^1,例示・みずき野自治会 の地域づくり,例示・みずき野自治会,4.5,4,3.5,83.3333,2,採択,350000,350000,,"$'\r'"\$" \
  "$sheets/審査結果一覧.csv" || { cat "$sheets/審査結果一覧.csv" >&2; fail "score sheet summary"; }
for member in iin-a iin-b; do
  grep -lq "委員: 審査委員 $member" "$sheets"/採点表_*.csv || fail "no score sheet of $member"
done
# A member reads only its own reviews: refused (PERMISSION_DENIED, exit
# 17) rather than given means over fewer reviews, and nothing is written.
round_call=$(sed -n 's/^+ kyodoctl score-sheets \([^ ]*\) .*/\1/p' "$work/walkthrough.out")
member_token=$("$kyodoctl" token --role=reviewer --reviewer=iin-a --sub=iin-a \
  --jwt_key_file="$work/data/secrets/jwt.key")
set +e
KYODO_ADDR=127.0.0.1:$base KYODO_TOKEN=$member_token "$kyodoctl" score-sheets "$round_call" \
  --dir="$work/member-sheets" >/dev/null 2>&1; rc=$?
set -e
[[ $rc -eq 17 ]] || fail "score-sheets as a member should exit 17, got $rc"
[[ ! -e "$work/member-sheets/審査結果一覧.csv" ]] || fail "a member's score-sheets wrote a file"
# The example FY2026 round (deploy/local/data/20_proposals.textproto):
# 補正 before the review, a 書類審査 (weight 1) before the プレゼンテーション
# 審査 (weight 2), a 減額採択 that lets the third in rank be adopted, and a
# proposal that did not pass the 書類審査 on no sheet of the last stage.
export KYODO_ADDR=127.0.0.1:$base  # the gateway, which passes the calls on
fy2026=$("$kyodoctl" calls list --json | grep '"display_name":"令和8年度 麻生区市民提案型事業 募集"' \
  | grep -o '"name":"programmes/[^"]*"' | head -1 | cut -d'"' -f4)
[[ -n "$fy2026" ]] || fail "no example FY2026 call"
"$kyodoctl" calls get "$fy2026" \
  | grep -q "^段階審査 $fy2026: 1 書類審査(合格点60・重み1) → 2 プレゼンテーション審査(合格点60・重み2)$" \
  || { "$kyodoctl" calls get "$fy2026" >&2; fail "example FY2026 stages"; }
"$kyodoctl" score-sheets "$fy2026" --dir="$work/sheets-2026" >/dev/null \
  || fail "score-sheets of the example FY2026 call"
summary=$work/sheets-2026/審査結果一覧.csv
for row in \
  "^1,里山の散策路マップづくり,例示・あさお里山の会,85.0000,4.6667,4.3333,4.6667,89.2857,3,採択,600000,450000,減額採択,地図の印刷部数を見直し、印刷費を減額する。" \
  "^2,多世代交流カフェ,例示・かえで丘町内会,75.0000,4,3.6667,3.6667,75.7937,3,採択,500000,500000,," \
  "^3,地域の子ども食堂,例示・こもれび台自治会,70.0000,3.6667,3.6667,3.6667,72.2222,3,採択,650000,650000,," \
  "^,夜間防犯パトロールの拡充,例示・あおば原町会,50.0000,,,,,0,段階審査で不通過,400000,,,"; do
  grep -q "$row" "$summary" || { cat "$summary" >&2; fail "example FY2026 results: $row"; }
done
[[ $(ls "$work/sheets-2026"/採点表_*_第1段階.csv | wc -l) -eq 4 ]] || fail "FY2026 書類審査 sheets"
grep -lq "夜間防犯パトロールの拡充" "$work/sheets-2026"/採点表_*_第1段階.csv \
  || fail "the 書類審査 sheets lack the proposal that did not pass"
for sheet in "$work/sheets-2026"/採点表_*.csv; do
  [[ "$sheet" == *段階.csv ]] && continue
  ! grep -q "夜間防犯パトロールの拡充" "$sheet" || fail "a proposal that did not pass stage 1 is on $sheet"
done
"$kyodoctl" proposals list "$fy2026" | grep -q "地域の子ども食堂" || fail "FY2026 proposals"
# The open data publishes the committee's ruling with its reason beside the
# ranking's own result: 地域の子ども食堂 is adopted only thanks to the
# 減額採択.
"$kyodoctl" export --dataset=results --format=csv --fiscal_year=2026 \
  --out="$work/results-2026.csv" >/dev/null || fail "export of the FY2026 results"
for row in \
  "里山の散策路マップづくり,.*,ADOPTED,600000,450000,ADOPTED,600000,REDUCE,地図の印刷部数を見直し、印刷費を減額する。" \
  "地域の子ども食堂,.*,ADOPTED,650000,650000,BUDGET_EXHAUSTED,0,,"; do
  grep -q "$row" "$work/results-2026.csv" || { cat "$work/results-2026.csv" >&2; fail "FY2026 open data: $row"; }
done
# The 補正 of 地域の子ども食堂 stays in its history after it was corrected
# and adopted.
shokudo=$("$kyodoctl" proposals list "$fy2026" --json | grep '"title":"地域の子ども食堂"' \
  | grep -o '"name":"programmes/[^"]*"' | head -1 | cut -d'"' -f4)
[[ -n "$shokudo" ]] || fail "no example 地域の子ども食堂 proposal"
"$kyodoctl" proposals get "$shokudo" --json \
  | grep -q '"note":"予算の内訳(食材費・消耗品費・保険料)を記入してください。"' \
  || fail "the example 補正 is not in the proposal's history"
# 明治大学 is active in 多摩区 and 麻生区.
meiji=$("$kyodoctl" partners list --all --json --filter='display_name = "明治大学"' \
  | grep -o '"name":"partners/[^"]*"' | head -1 | cut -d'"' -f4)
[[ -n "$meiji" ]] || fail "no example 明治大学"
"$kyodoctl" partners get "$meiji" | grep -q "ほかの活動区 *麻生区" \
  || { "$kyodoctl" partners get "$meiji" >&2; fail "明治大学's other ward"; }
# The 市民館 自主学級 consignment with its expense lines, summing to it.
normalization=$("$kyodoctl" projects list --all --json --filter='programme = CITIZEN_STUDY_CLASS' \
  | grep '"title":"ノーマライゼーションの世界を作ろう！"' \
  | grep -o '"name":"projects/[^"]*"' | head -1 | cut -d'"' -f4)
[[ -n "$normalization" ]] || fail "no example 自主学級 project"
dossier=$("$kyodoctl" projects get "$normalization")
for line in "委託 75,000円" "内訳 *講師謝礼 45,000円 例示・講演者3名" "内訳 *消耗品費 10,000円" \
  "内訳 *印刷製本費 20,000円"; do
  grep -q "$line" <<<"$dossier" || { echo "$dossier" >&2; fail "the 自主学級 project's expense lines: $line"; }
done
unset KYODO_ADDR

# The notifier in dry-run mode (docs/OPERATIONS.md, "Mail"): the example
# FY2025 round, loaded after it started, is mailed to the associations'
# contacts and the committee's members as files in the data folder.
mails_to() { grep -l "^X-Envelope-To: <$1>" "$work/data/mail"/*.eml 2>/dev/null | wc -l; }
for _ in $(seq 1 300); do
  (($(mails_to sakuradai@example.jp) >= 3 && $(mails_to asao-shinsakai-2025-1@example.jp) >= 1)) && break
  sleep 0.2
done
(($(mails_to sakuradai@example.jp) >= 3)) || { ls -l "$work/data/mail" >&2 || true; fail "no dry-run mails to an applicant"; }
(($(mails_to asao-shinsakai-2025-1@example.jp) >= 1)) || fail "no dry-run mail to a committee member"
grep -q "^Content-Type: text/plain; charset=UTF-8" "$(ls "$work/data/mail"/*.eml | head -1)" \
  || fail "a dry-run mail without its MIME headers"

# The decision names the version of the selection rule that made it.
grep -q "^決定: .* / 選定規則 第[1-9][0-9]*版$" "$work/walkthrough.out" \
  || fail "walkthrough decision without its rule version"

# Stopping leaves nothing behind: the launcher waits for every process it
# started before it exits.
kill -TERM "$launcher_pid"
for _ in $(seq 1 150); do kill -0 "$launcher_pid" 2>/dev/null || break; sleep 0.2; done
kill -0 "$launcher_pid" 2>/dev/null && fail "launcher still running 30 s after SIGTERM"
launcher_pid=
for _ in $(seq 1 25); do pgrep -f "$work" >/dev/null || break; sleep 0.2; done
if pgrep -f "$work" >/dev/null; then
  pgrep -af "$work" >&2
  fail "processes left behind"
fi
echo "PASS"
