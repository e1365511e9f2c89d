// Ward staff (区役所地域振興課): calls with their state line, creating a
// call from a previous one, opening, closing and starting review; the
// committee; the proposals with their screening, and returning one for
// correction (補正) with a note and a deadline; the review progress
// matrix; the decision preview with a what-if budget beside the call's own;
// finalize and publish, each after a confirmation that says what happens.
import { create } from "@bufbuild/protobuf";
import { useState } from "preact/hooks";
import { explain, gateway, newRequestId, proposals, ruleWords, type Problem } from "../api.js";
import { dateTime, fiscalYear, fromJapanLocal, toJapanLocal, yen, count } from "../format.js";
import {
  Call_State,
  CallSchema,
  CommitteeRuling_ActionSchema,
  CriterionSchema,
  ProposalResult_Reason,
  ProposalResult_ReasonSchema,
  Proposal_State,
  ReviewCell_State,
  ReviewCell_StateSchema,
  type Call,
  type Decision,
  type Proposal,
  type Reviewer,
} from "../gen/kyodo/proposal/v1/proposal_service_pb.js";
import {
  callStateWords,
  Field,
  Link,
  navigate,
  Notice,
  Pager,
  ProblemBox,
  proposalStateWords,
  useLoad,
  usePaged,
} from "../ui.js";
import { labels } from "../labels.js";

export function StaffCalls() {
  const calls = usePaged(async (pageToken) => {
    const r = await proposals.listCalls({ parent: "programmes/-", pageSize: 20, pageToken });
    return { items: r.calls, next: r.nextPageToken };
  }, []);
  return (
    <section>
      <h1>公募の一覧</h1>
      <ProblemBox problem={calls.problem} />
      <table>
        <caption>公募(状態つき)</caption>
        <thead>
          <tr><th scope="col">公募</th><th scope="col">年度</th><th scope="col">状態</th><th scope="col">受付締切</th></tr>
        </thead>
        <tbody>
          {calls.value?.items.map((c) => (
            <tr key={c.name}>
              <td><Link href={`/staff/${c.name}`}>{c.displayName}</Link></td>
              <td>{fiscalYear(c.fiscalYear)}</td>
              <td>{callStateWords[c.state ?? 0]}</td>
              <td>{dateTime(c.submissionEndTime)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager page={calls.page} next={calls.next} previous={calls.previous} />
      <CreateCall previous={calls.value?.items ?? []} />
    </section>
  );
}

function CreateCall(props: { previous: Call[] }) {
  const [from, setFrom] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [year, setYear] = useState(String(new Date().getFullYear()));
  const [start, setStart] = useState(toJapanLocal(new Date()));
  const [end, setEnd] = useState(toJapanLocal(new Date(Date.now() + 30 * 86400e3)));
  const [budget, setBudget] = useState("1000000");
  const [maxAdoptions, setMaxAdoptions] = useState("0");
  const [minReviews, setMinReviews] = useState("1");
  const [problem, setProblem] = useState<Problem | undefined>();
  const source = props.previous.find((c) => c.name === from);
  async function submit(e: Event) {
    e.preventDefault();
    setProblem(undefined);
    if (!source) {
      setProblem({ message: "元にする公募を選んでください。", fields: {} });
      return;
    }
    const programme = source.name!.split("/calls/")[0];
    const call = create(CallSchema, {
      displayName,
      fiscalYear: Number(year),
      submissionStartTime: fromJapanLocal(start),
      submissionEndTime: fromJapanLocal(end),
      budgetYen: BigInt(budget || "0"),
      maxAdoptions: Number(maxAdoptions || "0"),
      minReviews: Number(minReviews || "0"),
      criteria: source.criteria.length
        ? source.criteria
        : [create(CriterionSchema, { displayName: "総合評価", weight: 1n, maxScore: 5n })],
      passMark: source.passMark,
      adoptionRule: source.adoptionRule,
      tieBreak: source.tieBreak,
      description: source.description,
    });
    try {
      const made = await proposals.createCall({ parent: programme, call, requestId: newRequestId() });
      navigate(`/staff/${made.name}`);
    } catch (err) {
      setProblem(explain(err));
    }
  }
  return (
    <form onSubmit={submit} class="card" aria-labelledby="create-call">
      <h2 id="create-call">前回の公募から新しい公募を作成</h2>
      <Field label="元にする公募(審査基準・配点・説明を引き継ぎます)" field="parent" problem={problem}>
        {(id, d) => (
          <select id={id} aria-describedby={d} value={from} onChange={(e) => {
            const v = (e.target as HTMLSelectElement).value;
            setFrom(v);
            const c = props.previous.find((x) => x.name === v);
            if (c) {
              setDisplayName(`${c.displayName}(新)`);
              setBudget(String(c.budgetYen ?? 0n));
              setMaxAdoptions(String(c.maxAdoptions ?? 0));
            }
          }}>
            <option value="">選んでください</option>
            {props.previous.map((c) => <option key={c.name} value={c.name}>{c.displayName}</option>)}
          </select>
        )}
      </Field>
      <Field label="公募の名称" field="call.display_name" problem={problem}>
        {(id, d, bad) => <input id={id} aria-describedby={d} aria-invalid={bad} value={displayName} onInput={(e) => setDisplayName((e.target as HTMLInputElement).value)} />}
      </Field>
      <Field label="年度" field="call.fiscal_year" problem={problem}>
        {(id, d, bad) => <input id={id} aria-describedby={d} aria-invalid={bad} inputMode="numeric" value={year} onInput={(e) => setYear((e.target as HTMLInputElement).value)} />}
      </Field>
      <Field label="受付開始(日本時間)" field="call.submission_start_time" problem={problem}>
        {(id, d, bad) => <input id={id} type="datetime-local" aria-describedby={d} aria-invalid={bad} value={start} onInput={(e) => setStart((e.target as HTMLInputElement).value)} />}
      </Field>
      <Field label="受付締切(日本時間、この時刻の直前まで受付)" field="call.submission_end_time" problem={problem}>
        {(id, d, bad) => <input id={id} type="datetime-local" step="1" aria-describedby={d} aria-invalid={bad} value={end} onInput={(e) => setEnd((e.target as HTMLInputElement).value)} />}
      </Field>
      <Field label="予算額(円)" field="call.budget_yen" problem={problem}>
        {(id, d, bad) => <input id={id} inputMode="numeric" aria-describedby={d} aria-invalid={bad} value={budget} onInput={(e) => setBudget((e.target as HTMLInputElement).value)} />}
      </Field>
      <Field label="採択件数の上限(0 は上限なし)" field="call.max_adoptions" problem={problem}>
        {(id, d, bad) => <input id={id} inputMode="numeric" aria-describedby={d} aria-invalid={bad} value={maxAdoptions} onInput={(e) => setMaxAdoptions((e.target as HTMLInputElement).value)} />}
      </Field>
      <Field label="提案ごとに必要な審査数" field="call.min_reviews" problem={problem}>
        {(id, d, bad) => <input id={id} inputMode="numeric" aria-describedby={d} aria-invalid={bad} value={minReviews} onInput={(e) => setMinReviews((e.target as HTMLInputElement).value)} />}
      </Field>
      <ProblemBox problem={problem} />
      <button type="submit">公募を作成(準備中)</button>
    </form>
  );
}

function StateLine(props: { call: Call }) {
  const c = props.call;
  return (
    <p class="state-line" data-state={Call_State[c.state ?? 0]}>
      <strong>状態: {callStateWords[c.state ?? 0]}</strong>
      {" ・ "}受付 {dateTime(c.submissionStartTime)} 〜 {dateTime(c.submissionEndTime)}
      {" ・ "}予算 {yen(c.budgetYen)}
      {" ・ "}採択上限 {c.maxAdoptions ? `${c.maxAdoptions}件` : "なし"}
      {" ・ "}必要審査数 {c.minReviews ?? 0}
    </p>
  );
}

export function StaffCall(props: { name: string }) {
  const call = useLoad(() => proposals.getCall({ name: props.name }), [props.name]);
  const [problem, setProblem] = useState<Problem | undefined>();
  const [done, setDone] = useState("");
  const c = call.value;
  async function step(what: string, run: () => Promise<unknown>) {
    setProblem(undefined);
    setDone("");
    try {
      await run();
      setDone(what);
      call.reload();
    } catch (err) {
      setProblem(explain(err));
    }
  }
  if (!c) return <section><h1>公募</h1><ProblemBox problem={call.problem} /><p>読み込み中…</p></section>;
  const state = c.state ?? Call_State.STATE_UNSPECIFIED;
  return (
    <section>
      <h1>{c.displayName}({fiscalYear(c.fiscalYear)})</h1>
      <StateLine call={c} />
      {done && <Notice>{done}</Notice>}
      <ProblemBox problem={problem} />
      <div class="actions">
        {state === Call_State.DRAFT && (
          <button type="button" onClick={() => step("公募を開始しました。", () => proposals.openCall({ name: c.name, etag: c.etag, requestId: newRequestId() }))}>公募を開始する</button>
        )}
        {state === Call_State.OPEN && (
          <button type="button" onClick={() => step("受付を締め切りました。", () => proposals.closeCall({ name: c.name, etag: c.etag, requestId: newRequestId() }))}>受付を締め切る</button>
        )}
        {state === Call_State.CLOSED && (
          <button type="button" onClick={() => step("審査を開始しました。", () => proposals.startReview({ name: c.name, etag: c.etag, requestId: newRequestId() }))}>審査を開始する</button>
        )}
      </div>
      {state === Call_State.OPEN && <Extend call={c} onDone={() => { setDone("受付締切を延長しました。"); call.reload(); }} />}
      <Committee call={c} />
      <Proposals call={c} />
      {state >= Call_State.UNDER_REVIEW && <Preview call={c} onChanged={call.reload} />}
    </section>
  );
}

// Extending an open call's deadline (UpdateCall of submission_end_time
// alone: it may move later, never earlier, WINDOW_SHORTENED).
function Extend(props: { call: Call; onDone: () => void }) {
  const c = props.call;
  const [end, setEnd] = useState("");
  const [problem, setProblem] = useState<Problem | undefined>();
  async function extend(e: Event) {
    e.preventDefault();
    setProblem(undefined);
    try {
      await proposals.updateCall({
        call: { name: c.name, etag: c.etag, submissionEndTime: fromJapanLocal(end) },
        updateMask: { paths: ["submission_end_time"] },
        requestId: newRequestId(),
      });
      setEnd("");
      props.onDone();
    } catch (err) {
      setProblem(explain(err));
    }
  }
  return (
    <form class="extend" onSubmit={extend} aria-labelledby="extend-heading">
      <h2 id="extend-heading">受付締切の延長</h2>
      <ProblemBox problem={problem} />
      <Field label="新しい受付締切(日本時間)" field="call.submission_end_time" problem={problem} hint={`いまの締切: ${dateTime(c.submissionEndTime)}。延ばすことだけができます。`}>
        {(id, d, bad) => <input id={id} type="datetime-local" step="1" required aria-describedby={d} aria-invalid={bad} value={end} onInput={(e) => setEnd((e.target as HTMLInputElement).value)} />}
      </Field>
      <button type="submit">締切を延長する</button>
    </form>
  );
}

function Committee(props: { call: Call }) {
  const reviewers = useLoad(() => proposals.listReviewers({ parent: props.call.name, pageSize: 100 }), [props.call.name, props.call.etag]);
  const [displayName, setDisplayName] = useState("");
  const [principal, setPrincipal] = useState("");
  // Where the notifier mails the member (Reviewer.email; optional).
  const [email, setEmail] = useState("");
  const [problem, setProblem] = useState<Problem | undefined>();
  async function add(e: Event) {
    e.preventDefault();
    setProblem(undefined);
    try {
      await proposals.createReviewer({
        parent: props.call.name,
        reviewer: { displayName, principal, ...(email.trim() ? { email: email.trim() } : {}) },
        requestId: newRequestId(),
      });
      setDisplayName("");
      setPrincipal("");
      setEmail("");
      reviewers.reload();
    } catch (err) {
      setProblem(explain(err));
    }
  }
  return (
    <section aria-labelledby="committee">
      <h2 id="committee">審査会の委員</h2>
      <ProblemBox problem={reviewers.problem} />
      <ul>
        {reviewers.value?.reviewers.map((r) => (
          <li key={r.name} data-member={r.principal}>
            {r.displayName}(ID: {r.principal})
            {r.email && ` ・ 通知先 ${r.email}`}
            {` ・ 担当 ${r.assignedProposals.length ? `${r.assignedProposals.length}件` : "全件"}`}
            {r.conflicts.length > 0 && ` ・ 利益相反 ${r.conflicts.length}件`}
            {(props.call.state ?? 0) < Call_State.DECIDED && (
              <Assignments call={props.call} member={r} onDone={reviewers.reload} />
            )}
          </li>
        ))}
      </ul>
      {(props.call.state ?? 0) < Call_State.DECIDED && (
        <form onSubmit={add} class="inline">
          <Field label="委員の氏名" field="reviewer.display_name" problem={problem}>
            {(id, d, bad) => <input id={id} aria-describedby={d} aria-invalid={bad} value={displayName} onInput={(e) => setDisplayName((e.target as HTMLInputElement).value)} />}
          </Field>
          <Field label="委員のサインイン ID(reviewer)" field="reviewer.principal" problem={problem}>
            {(id, d, bad) => <input id={id} aria-describedby={d} aria-invalid={bad} value={principal} onInput={(e) => setPrincipal((e.target as HTMLInputElement).value)} />}
          </Field>
          <Field label="委員のメールアドレス(通知先・任意)" field="reviewer.email" problem={problem}>
            {(id, d, bad) => <input id={id} inputMode="email" autoComplete="email" spellcheck={false} aria-describedby={d} aria-invalid={bad} value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />}
          </Field>
          <ProblemBox problem={problem} />
          <button type="submit">委員を追加</button>
        </form>
      )}
    </section>
  );
}

// Which proposals a member reviews (Reviewer.assigned_proposals): none
// ticked means every proposal. A proposal's min_reviews then counts its
// assignees' reviews, and the review cannot start while a proposal has
// fewer possible reviewers (TOO_FEW_ASSIGNEES).
function Assignments(props: { call: Call; member: Reviewer; onDone: () => void }) {
  const m = props.member;
  const [open, setOpen] = useState(false);
  const [chosen, setChosen] = useState<string[]>(m.assignedProposals);
  const [problem, setProblem] = useState<Problem | undefined>();
  const submitted = useLoad(async () => {
    if (!open) return [];
    const r = await proposals.listProposals({ parent: props.call.name, pageSize: 500 });
    return r.proposals.filter((p) => p.state !== Proposal_State.DRAFT && p.state !== Proposal_State.WITHDRAWN);
  }, [open, props.call.name]);
  async function save(e: Event) {
    e.preventDefault();
    setProblem(undefined);
    try {
      await proposals.updateReviewer({
        reviewer: { name: m.name, etag: m.etag, assignedProposals: chosen },
        updateMask: { paths: ["assigned_proposals"] },
        requestId: newRequestId(),
      });
      setOpen(false);
      props.onDone();
    } catch (err) {
      setProblem(explain(err));
    }
  }
  if (!open) {
    return <button type="button" class="link" onClick={() => { setChosen(m.assignedProposals); setOpen(true); }}>担当する提案を選ぶ</button>;
  }
  return (
    <form onSubmit={save} class="assignments">
      <fieldset>
        <legend>{m.displayName} の担当(選ばなければ全件)</legend>
        <ProblemBox problem={problem ?? submitted.problem} />
        {submitted.value?.map((p) => (
          <label key={p.name} class="check">
            <input
              type="checkbox"
              data-proposal={p.name}
              checked={chosen.includes(p.name!)}
              onChange={(e) => {
                const on = (e.target as HTMLInputElement).checked;
                setChosen(on ? [...chosen, p.name!] : chosen.filter((x) => x !== p.name));
              }}
            />
            {p.title}
          </label>
        ))}
      </fieldset>
      <button type="submit">担当を保存</button>
      <button type="button" onClick={() => setOpen(false)}>やめる</button>
    </form>
  );
}

function Proposals(props: { call: Call }) {
  const list = usePaged(async (pageToken) => {
    const r = await proposals.listProposals({ parent: props.call.name, pageSize: 50, pageToken });
    return { items: r.proposals, next: r.nextPageToken };
  }, [props.call.name, props.call.etag]);
  const reviewing = (props.call.state ?? 0) >= Call_State.UNDER_REVIEW;
  return (
    <section aria-labelledby="proposals">
      <h2 id="proposals">提案と要件確認の結果</h2>
      <ProblemBox problem={list.problem} />
      <table>
        <caption>提案</caption>
        <thead><tr><th scope="col">件名</th><th scope="col">申請額</th><th scope="col">状態</th><th scope="col">満たしていない要件</th><th scope="col">補正</th></tr></thead>
        <tbody>
          {list.value?.items.map((p) => (
            <tr key={p.name} data-proposal={p.name}>
              <td>{p.title}</td>
              <td class="num">{yen(p.requestedAmountYen)}</td>
              <td>{proposalStateWords[p.state ?? 0]}</td>
              <td>
                {p.screening?.failures.length ? (
                  <ul>{p.screening.failures.map((f) => <li key={f.rule}>{ruleWords[f.rule ?? ""] ?? f.rule}: {f.message}</li>)}</ul>
                ) : "—"}
              </td>
              <td><ReturnForCorrection call={props.call} proposal={p} onDone={list.reload} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager page={list.page} next={list.next} previous={list.previous} />
      {reviewing && <ReviewProgress call={props.call} />}
    </section>
  );
}

// A mark for each state, beside its words from the protos.
const cellMarks: Record<number, string> = {
  [ReviewCell_State.SCORED]: "✓",
  [ReviewCell_State.MISSING]: "…",
  [ReviewCell_State.CONFLICTED]: "⊘",
  [ReviewCell_State.NOT_ASSIGNED]: "—",
};
const cellStateWords = labels(ReviewCell_StateSchema);
const cellWords = (state: number) => `${cellMarks[state] ?? ""} ${cellStateWords[state] ?? ""}`.trim();

// The committee's progress as the service counts it (ListReviewProgress):
// members × the proposals under review, a page of proposals at a time,
// with each proposal's counted reviews against min_reviews.
function ReviewProgress(props: { call: Call }) {
  const progress = usePaged(async (pageToken) => {
    const r = await proposals.listReviewProgress({ parent: props.call.name, pageSize: 20, pageToken });
    return { items: r.proposals, members: r.members, next: r.nextPageToken };
  }, [props.call.name, props.call.etag]);
  const v = progress.value;
  return (
    <>
      <ProblemBox problem={progress.problem} />
      {v && (
        <table class="matrix">
          <caption>審査の進み具合(委員 × 提案)</caption>
          <thead><tr><th scope="col">委員</th>{v.items.map((p) => <th scope="col" key={p.proposal}>{p.title}</th>)}</tr></thead>
          <tbody>
            {v.members.map((m, i) => (
              <tr key={m.name}>
                <th scope="row">{m.displayName}</th>
                {v.items.map((p) => <td key={p.proposal}>{cellWords(p.cells[i]?.state ?? 0)}</td>)}
              </tr>
            ))}
            <tr>
              <th scope="row">有効な採点</th>
              {v.items.map((p) => <td key={p.proposal} class="num">{p.countedReviews} / {p.minReviews}</td>)}
            </tr>
          </tbody>
        </table>
      )}
      <Pager page={progress.page} next={progress.next} previous={progress.previous} />
    </>
  );
}

// Returning a submitted proposal for correction (補正依頼), until the review
// starts: the note and the deadline the applicant reads; a returned one
// shows its deadline.
function ReturnForCorrection(props: { call: Call; proposal: Proposal; onDone: () => void }) {
  const p = props.proposal;
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState("");
  const [deadline, setDeadline] = useState(toJapanLocal(new Date(Date.now() + 7 * 86400e3)));
  const [problem, setProblem] = useState<Problem | undefined>();
  const last = p.corrections[p.corrections.length - 1];
  if (p.state === Proposal_State.RETURNED && last) return <span>期限 {dateTime(last.deadline)}</span>;
  const returnable = [Proposal_State.SUBMITTED, Proposal_State.ELIGIBLE, Proposal_State.INELIGIBLE].includes(p.state ?? 0)
    && [Call_State.OPEN, Call_State.CLOSED].includes(props.call.state ?? 0);
  if (!returnable) return <span>—</span>;
  if (!open) return <button type="button" onClick={() => setOpen(true)}>補正を依頼</button>;
  async function send(e: Event) {
    e.preventDefault();
    setProblem(undefined);
    try {
      await proposals.returnProposal({ name: p.name, etag: p.etag, note, deadline: fromJapanLocal(deadline), requestId: newRequestId() });
      setOpen(false);
      props.onDone();
    } catch (err) {
      setProblem(explain(err));
    }
  }
  return (
    <form onSubmit={send} class="card">
      <Field label="補正の内容" field="note" problem={problem}>
        {(id, d, bad) => <textarea id={id} rows={3} required aria-describedby={d} aria-invalid={bad} value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />}
      </Field>
      <Field label="補正の期限" field="deadline" problem={problem}>
        {(id, d, bad) => <input id={id} type="datetime-local" required aria-describedby={d} aria-invalid={bad} value={deadline} onInput={(e) => setDeadline((e.target as HTMLInputElement).value)} />}
      </Field>
      <ProblemBox problem={problem} />
      <button type="submit">補正を依頼する</button>
    </form>
  );
}

const reasonWords = labels(ProposalResult_ReasonSchema);
const actionWords = labels(CommitteeRuling_ActionSchema);

// The committee's ruling with its reason, and what the ranking alone would
// have given when the final result differs from it (a reduced amount, an
// adoption the ruling of another proposal made room for).
function Ruling(props: { result: Decision["results"][number] }) {
  const r = props.result;
  const ranked = r.recommendedReason !== ProposalResult_Reason.REASON_UNSPECIFIED &&
    (r.recommendedReason !== r.reason || r.recommendedAmountYen !== r.adoptedAmountYen);
  if (!r.ruling && !ranked) return null;
  return (
    <>
      {r.ruling && <>{actionWords[r.ruling.action ?? 0]}(理由: {r.ruling.reason})</>}
      {r.ruling && ranked && <br />}
      {ranked && <small>順位のみでは: {reasonWords[r.recommendedReason]}{r.recommendedAmountYen ? ` ${yen(r.recommendedAmountYen)}` : ""}</small>}
    </>
  );
}

// Rows on screen at once: a decision of 5,000 proposals is shown 200 rows
// a page (its totals in the caption), so the page stays responsive
// (tests/bench/console/, docs/BENCHMARKS.md); a whole table of 5,000 rows
// held the page for most of a second.
const rowsPerPage = 200;

export function DecisionTable(props: { decision: Decision; caption: string; testId: string }) {
  const d = props.decision;
  const total = d.results.length;
  const [at, setAt] = useState({ decision: d, start: 0 });
  const start = at.decision === d ? at.start : 0;
  const end = Math.min(total, start + rowsPerPage);
  const go = (to: number) => setAt({ decision: d, start: to });
  return (
    <>
      <table data-testid={props.testId}>
        <caption>
          {props.caption}: 予算 {yen(d.budgetYen)}、採択 {count(d.adoptedCount)}件・{yen(d.totalAdoptedYen)}、残り {yen(d.remainingBudgetYen)}
          {total > rowsPerPage && `(${count(total)} 件中 ${count(start + 1)}〜${count(end)} 件目)`}
        </caption>
        <thead><tr><th scope="col">順位</th><th scope="col">件名</th><th scope="col">得点</th><th scope="col">結果</th><th scope="col">採択額</th><th scope="col">残予算</th><th scope="col">審査会の判断</th></tr></thead>
        <tbody>
          {d.results.slice(start, end).map((r) => (
            <tr key={r.proposal} data-reason={ProposalResult_Reason[r.reason ?? 0]}>
              <td class="num">{r.rank || "—"}</td>
              <td>{r.title}</td>
              <td class="num">{r.score ?? "—"}</td>
              <td>{reasonWords[r.reason ?? 0]}</td>
              <td class="num">{yen(r.adoptedAmountYen)}</td>
              <td class="num">{yen(r.budgetLeftYen)}</td>
              <td><Ruling result={r} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      {total > rowsPerPage && (
        <nav class="pager" aria-label={`${props.caption}のページ送り`}>
          <button type="button" disabled={start === 0} onClick={() => go(Math.max(0, start - rowsPerPage))}>前の {rowsPerPage} 件</button>
          <span>{count(start + 1)}〜{count(end)} 件目 / {count(total)} 件</span>
          <button type="button" disabled={end >= total} onClick={() => go(end)}>次の {rowsPerPage} 件</button>
        </nav>
      )}
    </>
  );
}

function Preview(props: { call: Call; onChanged: () => void }) {
  const c = props.call;
  const state = c.state ?? 0;
  const own = useLoad(() => proposals.previewDecision({ name: c.name }), [c.name, c.etag]);
  const [budget, setBudget] = useState("");
  const [limit, setLimit] = useState("");
  const [whatIf, setWhatIf] = useState<Decision | undefined>();
  const [problem, setProblem] = useState<Problem | undefined>();
  const [confirming, setConfirming] = useState<"" | "finalize" | "publish">("");
  const [done, setDone] = useState("");
  async function preview(e: Event) {
    e.preventDefault();
    setProblem(undefined);
    try {
      setWhatIf(await proposals.previewDecision({
        name: c.name,
        budgetYen: budget ? BigInt(budget) : undefined,
        maxAdoptions: limit ? Number(limit) : undefined,
      }));
    } catch (err) {
      setProblem(explain(err));
    }
  }
  async function run(what: string, action: () => Promise<unknown>) {
    setProblem(undefined);
    try {
      await action();
      setConfirming("");
      setDone(what);
      props.onChanged();
    } catch (err) {
      setProblem(explain(err));
    }
  }
  return (
    <section aria-labelledby="preview">
      <h2 id="preview">決定のプレビュー</h2>
      <ProblemBox problem={own.problem} />
      {own.value && !own.value.decidable && (
        <p class="warning">⚠ 審査がまだ揃っていない提案があります(暫定の順位です)。</p>
      )}
      <form onSubmit={preview} class="inline">
        <Field label="仮の予算額(円)" field="budget_yen" problem={problem}>
          {(id, d, bad) => <input id={id} inputMode="numeric" aria-describedby={d} aria-invalid={bad} value={budget} onInput={(e) => setBudget((e.target as HTMLInputElement).value)} />}
        </Field>
        <Field label="仮の採択件数の上限" field="max_adoptions" problem={problem}>
          {(id, d, bad) => <input id={id} inputMode="numeric" aria-describedby={d} aria-invalid={bad} value={limit} onInput={(e) => setLimit((e.target as HTMLInputElement).value)} />}
        </Field>
        <button type="submit">仮の条件で試算</button>
      </form>
      <div class="side-by-side">
        {own.value && <DecisionTable decision={own.value} caption="この公募の条件" testId="own" />}
        {whatIf && <DecisionTable decision={whatIf} caption="仮の条件" testId="what-if" />}
      </div>
      {done && <Notice>{done}</Notice>}
      <ProblemBox problem={problem} />
      {state === Call_State.UNDER_REVIEW && (confirming === "finalize" ? (
        <div class="confirm" role="alertdialog" aria-labelledby="confirm-finalize">
          <p id="confirm-finalize">この公募の条件(予算 {yen(c.budgetYen)})で採否を決定します。決定後は審査・採点ができなくなります。結果は公表するまで申請者には見えません。</p>
          <button type="button" onClick={() => run("採否を決定しました(未公表)。", () => gateway.finalizeCall({ name: c.name, requestId: newRequestId() }))}>決定する</button>
          <button type="button" onClick={() => setConfirming("")}>やめる</button>
        </div>
      ) : (
        <button type="button" onClick={() => setConfirming("finalize")}>採否を決定する…</button>
      ))}
      {state === Call_State.DECIDED && (confirming === "publish" ? (
        <div class="confirm" role="alertdialog" aria-labelledby="confirm-publish">
          <p id="confirm-publish">結果を公表します。申請者は自分の結果・順位・得点を、誰でも採択結果を見られるようになり、採択された提案ごとに委託事業が作られます。取り消せません。</p>
          <button type="button" onClick={() => run("結果を公表しました。", () => gateway.publishResults({ name: c.name, requestId: newRequestId() }))}>公表する</button>
          <button type="button" onClick={() => setConfirming("")}>やめる</button>
        </div>
      ) : (
        <button type="button" onClick={() => setConfirming("publish")}>結果を公表する…</button>
      ))}
    </section>
  );
}
