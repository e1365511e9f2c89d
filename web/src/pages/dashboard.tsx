// Staff: the ward dashboard (Gateway.GetWardDashboard): the proposals of the
// ward's calls of a fiscal year by state, and the yen committed to the
// ward's projects by fiscal year, each as a bar chart drawn in plain SVG
// with its figures written beside each bar (no colour carries meaning) and
// the same figures in a table for screen readers and copying.
import { useState } from "preact/hooks";
import { gateway } from "../api.js";
import { count, fiscalYear, yen } from "../format.js";
import { Proposal_State } from "../gen/kyodo/proposal/v1/proposal_service_pb.js";
import { Ward } from "../gen/kyodo/type/v1/ward_pb.js";
import { ProblemBox, proposalStateWords, useLoad } from "../ui.js";
import { wardWords } from "./programmes.js";

// The fiscal year (4 月始まり) of today in Japan time.
function currentFiscalYear(): number {
  const japan = new Date(Date.now() + 9 * 3600 * 1000);
  return japan.getUTCMonth() < 3 ? japan.getUTCFullYear() - 1 : japan.getUTCFullYear();
}

interface Bar {
  label: string;
  value: number;
  text: string;
}

function BarChart(props: { title: string; bars: Bar[]; testId: string }) {
  const max = Math.max(1, ...props.bars.map((b) => b.value));
  const row = 28;
  const labelWidth = 170;
  const barWidth = 360;
  const height = props.bars.length * row + 8;
  return (
    <figure class="chart" data-testid={props.testId}>
      <figcaption>{props.title}</figcaption>
      <svg role="img" aria-label={`${props.title}: ${props.bars.map((b) => `${b.label} ${b.text}`).join("、")}`}
        width={labelWidth + barWidth + 140} height={height} viewBox={`0 0 ${labelWidth + barWidth + 140} ${height}`}>
        {props.bars.map((b, i) => {
          const y = i * row + 4;
          const w = Math.round((b.value / max) * barWidth);
          return (
            <g key={b.label}>
              <text x={labelWidth - 8} y={y + 17} text-anchor="end" font-size="14">{b.label}</text>
              <rect x={labelWidth} y={y + 3} width={Math.max(w, 1)} height={row - 8} fill="#1f4e79" />
              <text x={labelWidth + Math.max(w, 1) + 6} y={y + 17} font-size="14">{b.text}</text>
            </g>
          );
        })}
      </svg>
      <table class="chart-data">
        <caption>{props.title}(数値)</caption>
        <tbody>
          {props.bars.map((b) => <tr key={b.label}><th scope="row">{b.label}</th><td class="num">{b.text}</td></tr>)}
        </tbody>
      </table>
    </figure>
  );
}

export function Dashboard(props: { ward?: string }) {
  const [ward, setWard] = useState<Ward>(Ward[(props.ward ?? "ASAO") as keyof typeof Ward] ?? Ward.ASAO);
  const thisYear = currentFiscalYear();
  const years = [thisYear - 4, thisYear - 3, thisYear - 2, thisYear - 1, thisYear];
  const data = useLoad(async () => {
    const boards = await Promise.all(years.map((fiscalYear) => gateway.getWardDashboard({ ward, fiscalYear })));
    return boards;
  }, [ward, thisYear]);
  const boards = data.value;
  const current = boards?.[boards.length - 1];
  const byState: Bar[] = (current?.proposalsByState ?? []).map((s) => {
    const state = Proposal_State[s.state as keyof typeof Proposal_State];
    return { label: proposalStateWords[state ?? 0] ?? s.state ?? "", value: s.count ?? 0, text: `${count(s.count)}件` };
  });
  const byYear: Bar[] = (boards ?? []).map((b) => ({
    label: fiscalYear(b.fiscalYear), value: Number(b.committedYen ?? 0), text: yen(b.committedYen),
  }));
  return (
    <section>
      <h1>区のダッシュボード</h1>
      <label for="dashboard-ward">区</label>{" "}
      <select id="dashboard-ward" value={String(ward)} onChange={(e) => setWard(Number((e.target as HTMLSelectElement).value) as Ward)}>
        {[Ward.KAWASAKI, Ward.SAIWAI, Ward.NAKAHARA, Ward.TAKATSU, Ward.MIYAMAE, Ward.TAMA, Ward.ASAO].map((w) => (
          <option key={w} value={String(w)}>{wardWords[w]}</option>
        ))}
      </select>
      <ProblemBox problem={data.problem} />
      {current && (
        <>
          <p>受付中の公募 {count(current.openCalls.length)}{current.truncated.includes("open_calls") ? "件以上" : "件"} ・ 進行中の事業 {count(current.activeProjectCount ?? current.activeProjects.length)}件</p>
          {byState.length ? (
            <BarChart title={`${fiscalYear(current.fiscalYear)}の提案(状態別)`} bars={byState} testId="by-state" />
          ) : <p>{fiscalYear(current.fiscalYear)}の提案はまだありません。</p>}
          <BarChart title="事業への支出額(年度別)" bars={byYear} testId="by-year" />
        </>
      )}
    </section>
  );
}
