// Applicants (団体): open calls, their own proposals, a form to write one
// with the programme's amount cap shown, submitting (which screens it), the
// screening result with every failed rule in words, a return for correction
// (補正) with a form to correct and submit again, and the result once
// published. The service shows an applicant nothing of other applicants.
import { useState } from "preact/hooks";
import { explain, gateway, newRequestId, proposals, ruleWords, type Problem } from "../api.js";
import { dateTime, fiscalYear, yen } from "../format.js";
import { Call_State, Proposal_State, type Proposal } from "../gen/kyodo/proposal/v1/proposal_service_pb.js";
import { Field, Link, navigate, Pager, ProblemBox, proposalStateWords, useLoad, usePaged } from "../ui.js";

export function ApplicantHome() {
  const calls = usePaged(async (pageToken) => {
    const r = await proposals.listCalls({ parent: "programmes/-", pageSize: 50, pageToken });
    return { items: r.calls.filter((c) => c.state === Call_State.OPEN), next: r.nextPageToken };
  }, []);
  const mine = usePaged(async (pageToken) => {
    const r = await proposals.listProposals({ parent: "programmes/-/calls/-", pageSize: 20, pageToken });
    return { items: r.proposals, next: r.nextPageToken };
  }, []);
  return (
    <section>
      <h1>提案の作成と提出</h1>
      <h2>受付中の公募</h2>
      <ProblemBox problem={calls.problem} />
      <ul>
        {calls.value?.items.map((c) => (
          <li key={c.name}>
            <Link href={`/apply/${c.name}`}>{c.displayName}</Link>({fiscalYear(c.fiscalYear)}、締切 {dateTime(c.submissionEndTime)})
          </li>
        ))}
      </ul>
      {calls.value && calls.value.items.length === 0 && <p>このページに受付中の公募はありません。</p>}
      <Pager page={calls.page} next={calls.next} previous={calls.previous} />
      <h2>わたしの提案</h2>
      <ProblemBox problem={mine.problem} />
      <ul>
        {mine.value?.items.map((p) => (
          <li key={p.name}><Link href={`/proposal/${p.name}`}>{p.title}</Link>: {proposalStateWords[p.state ?? 0]}</li>
        ))}
      </ul>
      <Pager page={mine.page} next={mine.next} previous={mine.previous} />
    </section>
  );
}

export function NewProposal(props: { call: string; partner?: string }) {
  const call = useLoad(() => proposals.getCall({ name: props.call }), [props.call]);
  const programme = useLoad(() => proposals.getProgramme({ name: props.call.split("/calls/")[0] }), [props.call]);
  const [title, setTitle] = useState("");
  const [issue, setIssue] = useState("");
  const [plan, setPlan] = useState("");
  const [amount, setAmount] = useState("");
  const [problem, setProblem] = useState<Problem | undefined>();
  const caps = programme.value?.amountCaps ?? [];
  async function save(e: Event) {
    e.preventDefault();
    setProblem(undefined);
    try {
      const made = await proposals.createProposal({
        parent: props.call,
        requestId: newRequestId(),
        proposal: {
          applicant: props.partner,
          title,
          issue,
          plan,
          requestedAmountYen: amount.trim() === "" ? undefined : BigInt(amount.replace(/[,円\s]/g, "")),
        },
      });
      navigate(`/proposal/${made.name}`);
    } catch (err) {
      setProblem(explain(err));
    }
  }
  return (
    <section>
      <h1>提案を書く: {call.value?.displayName}</h1>
      <ProblemBox problem={call.problem ?? programme.problem} />
      {caps.length > 0 && (
        <p class="hint" data-testid="cap">
          申請額の上限: {caps.map((c) => `${c.continuationYear}年目 ${yen(c.maxAmountYen)}`).join("、")}
        </p>
      )}
      <form onSubmit={save} class="card">
        <Field label="件名" field="proposal.title" problem={problem}>
          {(id, d, bad) => <input id={id} aria-describedby={d} aria-invalid={bad} value={title} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} />}
        </Field>
        <Field label="地域の課題" field="proposal.issue" problem={problem}>
          {(id, d, bad) => <textarea id={id} rows={4} aria-describedby={d} aria-invalid={bad} value={issue} onInput={(e) => setIssue((e.target as HTMLTextAreaElement).value)} />}
        </Field>
        <Field label="事業の計画" field="proposal.plan" problem={problem}>
          {(id, d, bad) => <textarea id={id} rows={6} aria-describedby={d} aria-invalid={bad} value={plan} onInput={(e) => setPlan((e.target as HTMLTextAreaElement).value)} />}
        </Field>
        <Field label="申請額(円)" field="proposal.requested_amount_yen" problem={problem}>
          {(id, d, bad) => <input id={id} inputMode="numeric" aria-describedby={d} aria-invalid={bad} value={amount} onInput={(e) => setAmount((e.target as HTMLInputElement).value)} />}
        </Field>
        <ProblemBox problem={problem} />
        <button type="submit">下書きとして保存</button>
      </form>
    </section>
  );
}

function Screening(props: { proposal: Proposal }) {
  const s = props.proposal.screening;
  if (!s || !s.result) return null;
  return (
    <section aria-labelledby="screening" data-testid="screening">
      <h2 id="screening">要件確認の結果</h2>
      {s.failures.length === 0 ? (
        <p>✓ すべての要件を満たしています。</p>
      ) : (
        <>
          <p>✗ 次の要件を満たしていません:</p>
          <ul>
            {s.failures.map((f) => (
              <li key={f.rule} data-rule={f.rule}>{ruleWords[f.rule ?? ""] ?? f.rule}({f.message})</li>
            ))}
          </ul>
        </>
      )}
      {s.amountCapYen !== undefined && <p>この提案の申請額の上限: {yen(s.amountCapYen)}</p>}
    </section>
  );
}

// A return for correction (補正依頼): what to correct and until when, a
// form to correct the plan and the amount, and submitting again (which
// screens it again).
function Correction(props: { proposal: Proposal; onDone: () => void }) {
  const p = props.proposal;
  const open = p.corrections[p.corrections.length - 1];
  const [plan, setPlan] = useState(p.plan ?? "");
  const [amount, setAmount] = useState(String(p.requestedAmountYen ?? ""));
  const [problem, setProblem] = useState<Problem | undefined>();
  if (p.state !== Proposal_State.RETURNED || !open) return null;
  async function resubmit(e: Event) {
    e.preventDefault();
    setProblem(undefined);
    try {
      const edited = await proposals.updateProposal({
        proposal: {
          name: p.name,
          etag: p.etag,
          plan,
          requestedAmountYen: amount.trim() === "" ? undefined : BigInt(amount.replace(/[,円\s]/g, "")),
        },
        updateMask: { paths: ["plan", "requested_amount_yen"] },
        requestId: newRequestId(),
      });
      await gateway.submitProposal({ name: p.name, etag: edited.etag, requestId: newRequestId() });
      props.onDone();
    } catch (err) {
      setProblem(explain(err));
    }
  }
  return (
    <section aria-labelledby="correction" data-testid="correction">
      <h2 id="correction">補正のお願い</h2>
      <p class="text">{open.note}</p>
      <p>期限: {dateTime(open.deadline)}(この時刻より前に再提出してください)</p>
      <form onSubmit={resubmit} class="card">
        <Field label="事業の計画(補正)" field="proposal.plan" problem={problem}>
          {(id, d, bad) => <textarea id={id} rows={6} aria-describedby={d} aria-invalid={bad} value={plan} onInput={(e) => setPlan((e.target as HTMLTextAreaElement).value)} />}
        </Field>
        <Field label="申請額(円)(補正)" field="proposal.requested_amount_yen" problem={problem}>
          {(id, d, bad) => <input id={id} inputMode="numeric" aria-describedby={d} aria-invalid={bad} value={amount} onInput={(e) => setAmount((e.target as HTMLInputElement).value)} />}
        </Field>
        <ProblemBox problem={problem} />
        <button type="submit">修正して再提出する</button>
      </form>
    </section>
  );
}

export function ProposalPage(props: { name: string }) {
  const proposal = useLoad(() => proposals.getProposal({ name: props.name }), [props.name]);
  const [problem, setProblem] = useState<Problem | undefined>();
  const p = proposal.value;
  async function submit() {
    setProblem(undefined);
    try {
      await gateway.submitProposal({ name: props.name, etag: p?.etag, requestId: newRequestId() });
      proposal.reload();
    } catch (err) {
      setProblem(explain(err));
    }
  }
  if (!p) return <section><h1>提案</h1><ProblemBox problem={proposal.problem} /><p>読み込み中…</p></section>;
  return (
    <section>
      <h1>{p.title}</h1>
      <p class="state-line"><strong>状態: {proposalStateWords[p.state ?? 0]}</strong> ・ 申請額 {yen(p.requestedAmountYen)}{p.submitTime && ` ・ 提出 ${dateTime(p.submitTime)}`}</p>
      <h2>地域の課題</h2>
      <p class="text">{p.issue}</p>
      <h2>事業の計画</h2>
      <p class="text">{p.plan}</p>
      <ProblemBox problem={problem} />
      {p.state === Proposal_State.DRAFT && <button type="button" onClick={submit}>提出する</button>}
      <Correction key={p.etag} proposal={p} onDone={() => proposal.reload()} />
      <Screening proposal={p} />
      {p.result && p.result.reason !== undefined && (
        <section aria-labelledby="result" data-testid="result">
          <h2 id="result">審査結果</h2>
          <p>{p.state === Proposal_State.ADOPTED ? "採択" : "不採択"}
            {p.result.rank ? `(順位 ${p.result.rank}、得点 ${p.result.score})` : ""}
            {p.result.adoptedAmountYen ? ` ・ 採択額 ${yen(p.result.adoptedAmountYen)}` : ""}</p>
        </section>
      )}
    </section>
  );
}
