// Committee members (審査委員): the calls under review, a score sheet per
// proposal (its text, each criterion with its weight and maximum, a
// comment), declaring a conflict of interest, and their own progress.
// Other members' scores are never asked for (the service would not give
// them either).
import { useState } from "preact/hooks";
import { explain, newRequestId, proposals, type Problem } from "../api.js";
import { fiscalYear, yen } from "../format.js";
import { Call_State, ReviewCell_State } from "../gen/kyodo/proposal/v1/proposal_service_pb.js";
import { Field, Link, Notice, ProblemBox, useLoad } from "../ui.js";

export function MemberHome() {
  const calls = useLoad(async () => {
    const r = await proposals.listCalls({ parent: "programmes/-", pageSize: 100 });
    return r.calls.filter((c) => c.state === Call_State.UNDER_REVIEW);
  }, []);
  return (
    <section>
      <h1>審査中の公募</h1>
      <ProblemBox problem={calls.problem} />
      <ul>
        {calls.value?.map((c) => (
          <li key={c.name}><Link href={`/review/${c.name}`}>{c.displayName}</Link>({fiscalYear(c.fiscalYear)})</li>
        ))}
      </ul>
    </section>
  );
}

// The member's own column of the committee's progress (ListReviewProgress):
// the proposals assigned to it, each scored, to score or set aside for a
// conflict.
export function MemberCall(props: { call: string; principal?: string }) {
  const data = useLoad(async () => {
    const call = await proposals.getCall({ name: props.call });
    const mine: { name: string; title: string; state: ReviewCell_State }[] = [];
    let pageToken = "";
    do {
      const r = await proposals.listReviewProgress({ parent: props.call, pageSize: 500, pageToken });
      const column = r.members.findIndex((m) => m.principal === props.principal);
      for (const p of r.proposals) {
        const state = column >= 0 ? p.cells[column]?.state ?? ReviewCell_State.NOT_ASSIGNED : ReviewCell_State.NOT_ASSIGNED;
        if (state !== ReviewCell_State.NOT_ASSIGNED) mine.push({ name: p.proposal!, title: p.title ?? "", state });
      }
      pageToken = r.nextPageToken ?? "";
    } while (pageToken);
    return { call, mine };
  }, [props.call, props.principal]);
  const d = data.value;
  const done = d ? d.mine.filter((p) => p.state === ReviewCell_State.SCORED).length : 0;
  return (
    <section>
      <h1>{d?.call.displayName ?? "審査"}</h1>
      <ProblemBox problem={data.problem} />
      {d && <p class="state-line" data-testid="progress">わたしの進み具合: {d.mine.length}件中 {done}件 採点済み</p>}
      <ul>
        {d?.mine.map((p) => (
          <li key={p.name}>
            <Link href={`/review/${p.name}`}>{p.title}</Link>
            {p.state === ReviewCell_State.SCORED ? "(✓ 採点済み)" : p.state === ReviewCell_State.CONFLICTED ? "(⊘ 利益相反)" : "(未採点)"}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function ScoreSheet(props: { proposal: string; principal?: string }) {
  const callName = props.proposal.split("/proposals/")[0];
  const data = useLoad(async () => {
    const [call, proposal, reviewers, reviews] = await Promise.all([
      proposals.getCall({ name: callName }),
      proposals.getProposal({ name: props.proposal }),
      proposals.listReviewers({ parent: callName, pageSize: 100 }),
      proposals.listReviews({ parent: props.proposal, pageSize: 10 }),
    ]);
    const seat = reviewers.reviewers.find((r) => r.principal === props.principal);
    // With review stages (段階審査) the sheet is the stage under review's:
    // its criteria, and the member's review of that stage.
    const last = call.stages.length + 1;
    const stage = call.currentStage && call.currentStage <= last ? call.currentStage : last;
    const criteria = stage < last ? call.stages[stage - 1].criteria : call.criteria;
    const stageName = call.stages.length === 0 ? "" : stage < last ? call.stages[stage - 1].displayName : call.lastStageDisplayName;
    const mine = reviews.reviews.find((r) => (r.stage || 1) === stage);
    return { call, proposal, seat, mine, stage, criteria, stageName };
  }, [props.proposal]);
  const [scores, setScores] = useState<Record<number, string>>({});
  const [comment, setComment] = useState("");
  const [note, setNote] = useState("");
  const [problem, setProblem] = useState<Problem | undefined>();
  const [done, setDone] = useState("");
  const d = data.value;
  if (!d) return <section><h1>採点表</h1><ProblemBox problem={data.problem} /><p>読み込み中…</p></section>;
  const conflicted = d.seat?.conflicts.some((c) => c.proposal === props.proposal);
  async function save(e: Event) {
    e.preventDefault();
    setProblem(undefined);
    try {
      await proposals.submitReview({
        parent: props.proposal,
        requestId: newRequestId(),
        review: {
          scores: d!.criteria.map((_, i) => BigInt(scores[i] ?? d!.mine?.scores[i] ?? "0")),
          comment: comment || d!.mine?.comment,
        },
      });
      setDone("採点を保存しました。");
      data.reload();
    } catch (err) {
      setProblem(explain(err));
    }
  }
  async function declare(e: Event) {
    e.preventDefault();
    setProblem(undefined);
    try {
      await proposals.declareConflict({ reviewer: d!.seat?.name, proposal: props.proposal, note, requestId: newRequestId() });
      setDone("利益相反を申告しました。この提案は採点しません。");
      data.reload();
    } catch (err) {
      setProblem(explain(err));
    }
  }
  return (
    <section>
      <h1>採点表: {d.proposal.title}</h1>
      <p class="state-line">申請額 {yen(d.proposal.requestedAmountYen)}{conflicted && " ・ ⊘ 利益相反を申告済み(採点できません)"}</p>
      <h2>地域の課題</h2>
      <p class="text">{d.proposal.issue}</p>
      <h2>事業の計画</h2>
      <p class="text">{d.proposal.plan}</p>
      {done && <Notice>{done}</Notice>}
      <ProblemBox problem={problem} />
      {!conflicted && (
        <form onSubmit={save} class="card" aria-labelledby="sheet">
          <h2 id="sheet">審査基準ごとの点数{d.call.stages.length > 0 && `(第${d.stage}段階 ${d.stageName ?? ""})`}</h2>
          {d.criteria.map((c, i) => (
            <Field key={i} label={`${c.displayName}(配点の重み ${c.weight}、最高 ${c.maxScore}点)`} field={`review.scores[${i}]`} problem={problem}>
              {(id, desc, bad) => (
                <select id={id} aria-describedby={desc} aria-invalid={bad} value={scores[i] ?? String(d.mine?.scores[i] ?? "")}
                  onChange={(e) => setScores({ ...scores, [i]: (e.target as HTMLSelectElement).value })}>
                  <option value="">選んでください</option>
                  {Array.from({ length: Number(c.maxScore ?? 0n) + 1 }, (_, n) => <option key={n} value={String(n)}>{n}点</option>)}
                </select>
              )}
            </Field>
          ))}
          <Field label="講評(任意)" field="review.comment" problem={problem}>
            {(id, desc, bad) => <textarea id={id} rows={3} aria-describedby={desc} aria-invalid={bad} value={comment || d.mine?.comment || ""} onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)} />}
          </Field>
          <button type="submit">採点を保存</button>
        </form>
      )}
      {!conflicted && d.seat && (
        <form onSubmit={declare} class="card" aria-labelledby="conflict">
          <h2 id="conflict">利益相反の申告</h2>
          <Field label="理由(例: 申請団体の役員を務めている)" field="note" problem={problem}>
            {(id, desc, bad) => <input id={id} aria-describedby={desc} aria-invalid={bad} value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />}
          </Field>
          <button type="submit">利益相反を申告する</button>
        </form>
      )}
    </section>
  );
}
