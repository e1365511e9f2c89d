#!/usr/bin/env bash
# Turns the JSON of tests/bench/run.sh into figures with their ratios to the
# floors of the same run, the medians over runs, a Markdown table and the
# chart. Needs jq (and gnuplot for `chart`).
#
#   summarize.sh run DIR       one run's figures (DIR holds its *.json)
#   summarize.sh all OUT       medians over OUT/run*/summary.json
#   summarize.sh markdown OUT  the table of OUT/summary.json
#   summarize.sh chart OUT     OUT/throughput_p99.png from the sweeps
set -euo pipefail
mode=$1
dir=$2

case "$mode" in
  run)
    args=()
    for f in echo dbfloor dbfloor_write getpartner_direct getpartner_gateway getpartner_failfast \
             getpartner_open getproject_gateway dossier getproject_gateway_8 dossier_8 list10k list1m submit rss \
             dashboard10k dashboard1m export totals; do
      if [[ -s "$dir/$f.json" ]]; then args+=(--slurpfile "$f" "$dir/$f.json")
      else args+=(--argjson "$f" '[{"points": []}]'); fi
    done
    if [[ -s "$dir/preview.json" ]]; then args+=(--slurpfile preview "$dir/preview.json")
    else args+=(--argjson preview '[{"benchmarks": []}]'); fi
    jq -n "${args[@]}" '
      def ratio($a; $b): if $a == null or $b == null or $b == 0 then null else $a / $b end;
      def le($a; $t): if $a == null then null else $a <= $t end;
      def ge($a; $t): if $a == null then null else $a >= $t end;
      def closed: [.points[] | select(.mode == "closed")];
      def peak: (closed | max_by(.calls_per_s));
      def at($n): (closed | map(select(.in_flight == $n)) | first);
      def errs: [closed[] | select(.in_flight <= 32) | .errors | to_entries[] | .value.count]
        | add // 0;
      def fig($name; $value; $unit; $ratio; $to; $target; $met):
        {name: $name, value: $value, unit: $unit, ratio: $ratio, ratio_to: $to,
         target: $target, met: $met};
      ($echo[0]) as $e | ($dbfloor[0]) as $d |
      ($getpartner_direct[0]) as $gd | ($getpartner_gateway[0]) as $gg |
      ($getpartner_failfast[0]) as $ff | ($getproject_gateway[0]) as $gp |
      ($dossier[0]) as $do | ($list10k[0]) as $l10 | ($list1m[0]) as $l1m |
      ($submit[0]) as $su | ($rss[0]) as $rs | ($export[0].export1m // {}) as $ex |
      ($totals[0].totals1m // {}) as $tt |
      ($dashboard10k[0] | at(1).p50_ms) as $db10 | ($dashboard1m[0] | at(1).p50_ms) as $db1m |
      ($e | peak) as $ep | ($d | peak) as $dp |
      ($e | at(1).p50_ms) as $e1 | ($d | at(1).p50_ms) as $d1 |
      ($dbfloor_write[0]) as $w | ($w | at(1).p50_ms) as $w1 | ($w | at(8).calls_per_s) as $w8 |
      ($gd | peak) as $gdp | ($gg | peak) as $ggp |
      ($gp | at(1).p50_ms) as $gp1 | ($do | at(1).p50_ms) as $do1 |
      ($getproject_gateway_8[0] | at(8).p50_ms) as $gp8 |
      ($dossier_8[0] | at(8).p50_ms) as $do8 |
      ($l10 | at(1).p50_ms) as $l10p | ($l1m | at(1).p50_ms) as $l1mp |
      ($gd | at(32)) as $gd32 | ($gd | at(64)) as $gd64 | ($ff | at(32)) as $ff32 |
      def bench($prefix): [$preview[0].benchmarks[]
        | select((.name | startswith($prefix)) and .aggregate_name == "median")
        | .real_time] | first;
      bench("BM_PreviewDecisionRpc") as $pv | bench("BM_EngineOnTheSameCall") as $pe |
      {
        floors: {echo_peak_calls_per_s: $ep.calls_per_s, echo_peak_in_flight: $ep.in_flight,
                 echo_p50_ms_at_1: $e1, db_peak_queries_per_s: $dp.calls_per_s,
                 db_peak_threads: $dp.in_flight, db_p50_ms_at_1: $d1,
                 commit_per_s_at_8: $w8, commit_p50_ms_at_1: $w1},
        figures: [
          fig("echo floor, peak calls/s"; $ep.calls_per_s; "calls/s"; 1; "echo peak"; ""; null),
          fig("MariaDB point select floor, peak queries/s"; $dp.calls_per_s; "queries/s";
              ratio($dp.calls_per_s; $ep.calls_per_s); "echo peak"; ""; null),
          fig("GetPartner straight, peak calls/s"; $gdp.calls_per_s; "calls/s";
              ratio($gdp.calls_per_s; $ep.calls_per_s); "echo peak"; ">= 0.4";
              ge(ratio($gdp.calls_per_s; $ep.calls_per_s); 0.4)),
          fig("GetPartner straight, peak / DB floor peak"; $gdp.calls_per_s; "calls/s";
              ratio($gdp.calls_per_s; $dp.calls_per_s); "DB floor peak"; ""; null),
          fig("GetPartner through the gateway, peak calls/s"; $ggp.calls_per_s; "calls/s";
              ratio($ggp.calls_per_s; $gdp.calls_per_s); "GetPartner straight peak"; ">= 0.6";
              ge(ratio($ggp.calls_per_s; $gdp.calls_per_s); 0.6)),
          fig("GetPartner straight, p50 at 1 in flight"; ($gd | at(1).p50_ms); "ms";
              ratio(($gd | at(1).p50_ms); $e1); "echo p50 at 1"; ""; null),
          fig("GetPartner through the gateway, p50 at 1 in flight"; ($gg | at(1).p50_ms);
              "ms"; ratio(($gg | at(1).p50_ms); $e1); "echo p50 at 1"; ""; null),
          fig("GetProject through the gateway, p50 at 1 in flight"; $gp1; "ms";
              ratio($gp1; $e1); "echo p50 at 1"; ""; null),
          fig("GetProjectDossier, p50 at 1 in flight"; $do1; "ms"; ratio($do1; $gp1);
              "GetProject p50 at 1"; "<= 1.5"; le(ratio($do1; $gp1); 1.5)),
          fig("GetProjectDossier, p50 at 8 in flight"; $do8; "ms"; ratio($do8; $gp8);
              "GetProject p50 at 8"; ""; null),
          fig("ListProjects middle page at 10k, p50 at 1 in flight"; $l10p; "ms";
              ratio($l10p; $d1); "DB floor p50 at 1"; ""; null),
          fig("ListProjects middle page at 1M, p50 at 1 in flight"; $l1mp; "ms";
              ratio($l1mp; $l10p); "the same page at 10k"; "<= 1.3"; le(ratio($l1mp; $l10p); 1.3)),
          fig("ListProjects at 1M, calls/s at 8 in flight"; ($l1m | at(8).calls_per_s);
              "calls/s"; ratio(($l1m | at(8).calls_per_s); $ep.calls_per_s); "echo peak"; ""; null),
          fig("GetWardDashboard at 10k projects, p50 at 1 in flight"; $db10; "ms";
              ratio($db10; $gp1); "GetProject p50 at 1"; ""; null),
          fig("GetWardDashboard at 1M projects, p50 at 1 in flight"; $db1m; "ms";
              ratio($db1m; $gp1); "GetProject p50 at 1"; "<= 20"; le(ratio($db1m; $gp1); 20)),
          fig("ExportOpenData of the published projects at 1M, rows/s (peak RSS below)";
              ratio($ex.rows; $ex.seconds); "rows/s"; ratio($ex.bytes; 1048576); "MiB of CSV";
              ""; null),
          fig("project_totals at 1M: migration 002 fill under its table lock";
              $tt.fill_ms; "ms"; null; ""; "kept by the triggers = a recount";
              (if $tt.kept == null then null else $tt.kept == $tt.recounted end)),
          fig("MariaDB one-row commit floor, commits/s at 8 threads"; $w8; "commits/s";
              ratio($w8; $dp.calls_per_s); "DB floor peak"; ""; null),
          fig("MariaDB one-row commit floor, p50 at 1 thread"; $w1; "ms";
              ratio($w1; $d1); "DB floor p50 at 1"; ""; null),
          fig("SubmitProposal through the gateway, calls/s at 8 in flight";
              ($su | at(8).calls_per_s); "calls/s";
              ratio(($su | at(8).calls_per_s); $w8); "commit floor at 8"; ""; null),
          fig("SubmitProposal through the gateway, p50 at 1 in flight"; ($su | at(1).p50_ms);
              "ms"; ratio(($su | at(1).p50_ms); $w1); "commit floor p50 at 1"; ""; null),
          fig("PreviewDecision 5000x15x6, the engine alone on the same call, median"; $pe;
              "ms"; ratio($pe; $pv); "the whole RPC"; "<= 50 ms"; le($pe; 50)),
          fig("PreviewDecision 5000x15x6, the whole RPC, median"; $pv; "ms";
              ratio($pv; $pe); "the engine alone"; "<= 1500 ms"; le($pv; 1500)),
          (["partner", "project", "proposal", "gateway"][] as $s |
            fig("peak RSS (VmHWM) of \($s)"; (ratio($rs[$s].vmhwm_kib; 1024)); "MiB";
                ratio($rs[$s].vmhwm_kib; 65536); "64 MiB"; "<= 64 MiB";
                le(ratio($rs[$s].vmhwm_kib; 1024); 64))),
          fig("errors in the closed-loop runs up to 32 in flight (all but fail-fast)";
              ([$gd, $gg, $gp, $do, $getproject_gateway_8[0], $dossier_8[0], $l10, $l1m, $su, $e,
                $dashboard10k[0], $dashboard1m[0]] | map(errs) | add); "calls"; null; ""; "0";
              (([$gd, $gg, $gp, $do, $getproject_gateway_8[0], $dossier_8[0], $l10, $l1m, $su,
                 $e, $dashboard10k[0], $dashboard1m[0]] | map(errs) | add) == 0)),
          fig("overload: GetPartner straight at 32 in flight (4x pool), calls/s";
              $gd32.calls_per_s; "calls/s"; ratio($gd32.calls_per_s; $gdp.calls_per_s);
              "GetPartner straight peak"; "no collapse (>= 0.8)";
              ge(ratio($gd32.calls_per_s; $gdp.calls_per_s); 0.8)),
          fig("overload: GetPartner straight at 64 in flight (8x pool), calls/s";
              $gd64.calls_per_s; "calls/s"; ratio($gd64.calls_per_s; $gdp.calls_per_s);
              "GetPartner straight peak"; ""; null),
          fig("overload: GetPartner straight at 64 in flight, RESOURCE_EXHAUSTED calls";
              ($gd64.errors.RESOURCE_EXHAUSTED.count // 0); "calls";
              ratio(($gd64.errors.RESOURCE_EXHAUSTED.count // 0); $gd64.calls); "all calls at 64";
              ""; null),
          fig("overload: GetPartner straight at 64 in flight, RESOURCE_EXHAUSTED p99";
              ($gd64.errors.RESOURCE_EXHAUSTED.p99_ms // null); "ms";
              ratio(($gd64.errors.RESOURCE_EXHAUSTED.p99_ms // null); 1000);
              "the deadline (1 s)"; "fast"; null),
          fig("overload, fail-fast pool at 32 in flight: calls/s"; $ff32.calls_per_s;
              "calls/s"; ratio($ff32.calls_per_s; $gdp.calls_per_s); "GetPartner straight peak";
              ""; null),
          fig("overload, fail-fast pool at 32 in flight: RESOURCE_EXHAUSTED p99";
              ($ff32.errors.RESOURCE_EXHAUSTED.p99_ms // null); "ms";
              (if ($ff32.errors.RESOURCE_EXHAUSTED.p99_ms // null) == null then null
               else ratio($ff32.errors.RESOURCE_EXHAUSTED.p99_ms; 1000) end);
              "the deadline (1 s)"; "fast"; null)
        ],
        overload: {
          direct: [$gd.points[] | {in_flight, calls_per_s, p50_ms, p99_ms, max_ms, errors}],
          failfast: [$ff.points[] | {in_flight, calls_per_s, p50_ms, p99_ms, max_ms, errors}]
        }
      }'
    ;;
  all)
    jq -s '
      def median: sort | if length == 0 then null
        elif length % 2 == 1 then .[length / 2 | floor]
        else (.[length / 2 - 1] + .[length / 2]) / 2 end;
      . as $runs | {
        runs: length,
        floors: ($runs[0].floors | keys | map(. as $k |
          {key: $k, value: ([$runs[].floors[$k]] | median)}) | from_entries),
        figures: [range(0; $runs[0].figures | length) as $i |
          [$runs[].figures[$i]] as $f |
          ($f | map(.value) | map(select(. != null))) as $v |
          ($f | map(.ratio) | map(select(. != null))) as $r |
          {name: $f[0].name, unit: $f[0].unit, ratio_to: $f[0].ratio_to,
           target: $f[0].target,
           median: ($v | median), min: ($v | min), max: ($v | max),
           ratio_median: ($r | median), ratio_min: ($r | min), ratio_max: ($r | max),
           met_in_runs: ($f | map(select(.met == true)) | length),
           judged_runs: ($f | map(select(.met != null)) | length)}]
      }' "$dir"/run*/summary.json
    ;;
  markdown)
    jq -r '
      def r: if . == null then "" elif . >= 100 then (. | round | tostring)
        else (. * 1000 | round / 1000 | tostring) end;
      "Runs: \(.runs). Medians over the runs, [min, max] in brackets; ratios are taken within each run.\n",
      "| figure | median | [min, max] | ratio (median [min, max]) | to | target | met in runs |",
      "| --- | --- | --- | --- | --- | --- | --- |",
      (.figures[] |
        "| \(.name) | \(.median | r) \(.unit) | [\(.min | r), \(.max | r)] | " +
        (if .ratio_median == null then "" else
          "\(.ratio_median | r) [\(.ratio_min | r), \(.ratio_max | r)]" end) +
        " | \(.ratio_to) | \(.target) | " +
        (if .judged_runs == 0 then "" else "\(.met_in_runs)/\(.judged_runs)" end) + " |")
    ' "$dir/summary.json"
    ;;
  chart)
    # Medians over runs of each sweep point: in_flight, then calls/s and p99
    # of echo, GetPartner straight and through the gateway.
    jq -rs '
      def median: sort | if length == 0 then "NaN"
        elif length % 2 == 1 then .[length / 2 | floor]
        else (.[length / 2 - 1] + .[length / 2]) / 2 end;
      (map(.echo) ) as $e | (map(.direct)) as $d | (map(.gateway)) as $g |
      [1, 2, 4, 8, 16, 32, 64][] as $n |
      def pt($sets; $field): [$sets[] | .points[] | select(.mode == "closed" and .in_flight == $n)
        | .[$field] | select(. != null)] | median;
      [$n, pt($e; "calls_per_s"), pt($d; "calls_per_s"), pt($g; "calls_per_s"),
       pt($e; "p99_ms"), pt($d; "p99_ms"), pt($g; "p99_ms")] | @tsv
    ' <(for r in "$dir"/run*/; do
          jq -n --slurpfile e "$r/echo.json" --slurpfile d "$r/getpartner_direct.json" \
            --slurpfile g "$r/getpartner_gateway.json" \
            '{echo: $e[0], direct: $d[0], gateway: $g[0]}'
        done) >"$dir/sweep.tsv"
    gnuplot <<GP
set terminal pngcairo size 1000,600 font ",11"
set output "$dir/throughput_p99.png"
set title "kyodo on $(nproc) cores: calls/s (lines) and p99 (dashed) against calls in flight"
set logscale x 2
set xlabel "calls in flight (closed loop)"
set ylabel "calls/s"
set y2label "p99 latency (ms)"
set y2tics
set ytics nomirror
set key outside bottom center horizontal
set grid
plot "$dir/sweep.tsv" using 1:2 with linespoints lw 2 lc rgb "#555555" title "echo floor calls/s", \
     "" using 1:3 with linespoints lw 2 lc rgb "#1f77b4" title "GetPartner straight calls/s", \
     "" using 1:4 with linespoints lw 2 lc rgb "#d62728" title "GetPartner via gateway calls/s", \
     "" using 1:5 axes x1y2 with linespoints dt 2 lc rgb "#555555" title "echo p99", \
     "" using 1:6 axes x1y2 with linespoints dt 2 lc rgb "#1f77b4" title "straight p99", \
     "" using 1:7 axes x1y2 with linespoints dt 2 lc rgb "#d62728" title "gateway p99"
GP
    ;;
  *) echo "summarize.sh: unknown mode $mode" >&2; exit 2 ;;
esac
