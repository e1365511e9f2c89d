// Published results per call (adopted proposals, amounts, ranks, scores)
// and the open-data downloads. Calls not yet published are never asked
// for their decision. Signed in, the pages ask the API with the person's
// token; signed out, the gateway's public surface (public.ts).
import { useState } from "preact/hooks";
import { explain, proposals, token, type Problem } from "../api.js";
import { dateTime, fiscalYear } from "../format.js";
import { Call_State } from "../gen/kyodo/proposal/v1/proposal_service_pb.js";
import { Link, Pager, ProblemBox, useLoad, usePaged } from "../ui.js";
import { openDataUrl, publishedCalls, publishedResult } from "../public.js";
import { DecisionTable } from "./staff.js";

export function PublishedCalls() {
  const calls = usePaged(async (pageToken) => {
    if (!token()) return publishedCalls(pageToken);
    const r = await proposals.listCalls({ parent: "programmes/-", pageSize: 50, pageToken });
    return { items: r.calls.filter((c) => c.state === Call_State.PUBLISHED), next: r.nextPageToken };
  }, []);
  return (
    <section>
      <h1>公表された審査結果</h1>
      <ProblemBox problem={calls.problem} />
      <ul>
        {calls.value?.items.map((c) => (
          <li key={c.name}><Link href={`/results/${c.name}`}>{c.displayName}</Link>({fiscalYear(c.fiscalYear)}、公表 {dateTime(c.publishTime)})</li>
        ))}
      </ul>
      <Pager page={calls.page} next={calls.next} previous={calls.previous} />
      <Downloads />
    </section>
  );
}

export function PublishedResult(props: { call: string }) {
  const data = useLoad(async () => {
    if (!token()) {
      const found = await publishedResult(props.call);
      return found ?? { call: undefined, decision: undefined };
    }
    const call = await proposals.getCall({ name: props.call });
    if (call.state !== Call_State.PUBLISHED) return { call, decision: undefined };
    return { call, decision: await proposals.getDecision({ name: props.call }) };
  }, [props.call]);
  const d = data.value;
  return (
    <section>
      <h1>審査結果{d?.call && `: ${d.call.displayName}`}</h1>
      <ProblemBox problem={data.problem} />
      {d && !d.decision && <p>この公募の結果は公表されていません(公表前か、見つかりません)。</p>}
      {d?.decision && <DecisionTable decision={d.decision} caption="公表された結果" testId="published" />}
      <Downloads year={d?.call?.fiscalYear} />
    </section>
  );
}

function Downloads(props: { year?: number }) {
  const [problem, setProblem] = useState<Problem | undefined>();
  async function download(file: string) {
    setProblem(undefined);
    const query = props.year ? `?fiscal_year=${props.year}` : "";
    const signedIn = token() !== undefined;
    const response = await fetch(`${signedIn ? `/open-data/${file}` : openDataUrl(file)}${query}`, {
      headers: signedIn ? { Authorization: `Bearer ${token()}` } : {},
    });
    if (!response.ok) {
      setProblem(explain(new Error(`${response.status} ${await response.text()}`)));
      return;
    }
    const url = URL.createObjectURL(await response.blob());
    const a = document.createElement("a");
    a.href = url;
    a.download = `kyodo-${file.replace(".", props.year ? `-${props.year}.` : ".")}`;
    a.click();
    // The browser reads the blob after this returns: freed a minute later.
    window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
  return (
    <section aria-labelledby="downloads">
      <h2 id="downloads">オープンデータ</h2>
      <ProblemBox problem={problem} />
      <button type="button" onClick={() => download("results.csv")}>審査結果 CSV をダウンロード</button>{" "}
      <button type="button" onClick={() => download("projects.csv")}>事業一覧 CSV をダウンロード</button>
    </section>
  );
}
