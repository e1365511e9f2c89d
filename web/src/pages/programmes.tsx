// Staff: the programmes (制度) and their rules, the ones every proposal is
// screened against: who may apply, the amount caps per continuation year,
// how many years a project may continue, the limits per applicant. Read
// page by page with the API's page tokens.
import { proposals } from "../api.js";
import { count, yen } from "../format.js";
import { PartnerKindSchema } from "../gen/kyodo/partner/v1/partner_service_pb.js";
import { Programme_KindSchema, type Programme } from "../gen/kyodo/proposal/v1/proposal_service_pb.js";
import { WardSchema } from "../gen/kyodo/type/v1/ward_pb.js";
import { Pager, ProblemBox, usePaged } from "../ui.js";
import { labels } from "../labels.js";

const kindWords = labels(Programme_KindSchema);

export const wardWords = labels(WardSchema);

export const partnerKindWords = labels(PartnerKindSchema);

function Rules(props: { programme: Programme }) {
  const p = props.programme;
  const id = `programme-${p.name?.split("/").pop()}`;
  return (
    <section aria-labelledby={id} class="programme" data-programme={p.name}>
      <h2 id={id}>{p.displayName}</h2>
      <dl>
        <dt>種類</dt><dd>{kindWords[p.kind ?? 0]}</dd>
        <dt>区</dt><dd>{wardWords[p.ward ?? 0]}</dd>
        <dt>申請できる団体</dt>
        <dd>{p.eligiblePartnerKinds.length ? p.eligiblePartnerKinds.map((k) => partnerKindWords[k]).join("、") : "制限なし"}</dd>
        <dt>区内の団体に限る</dt><dd>{p.sameWardRequired ? "はい" : "いいえ"}</dd>
        <dt>申請額の上限</dt>
        <dd>
          {p.amountCaps.length ? (
            <ul>
              {p.amountCaps.map((c) => (
                <li key={c.continuationYear}>{c.continuationYear}年目: {yen(c.maxAmountYen)}</li>
              ))}
            </ul>
          ) : "なし"}
        </dd>
        <dt>継続できる年数</dt><dd>{p.maxContinuationYears ? `${count(p.maxContinuationYears)}年まで` : "制限なし"}</dd>
        <dt>1 公募への提案</dt><dd>{p.oneProposalPerApplicant ? "1 団体 1 件まで" : "制限なし"}</dd>
        <dt>通算採択回数の上限</dt><dd>{p.lifetimeAdoptionLimit ? `${count(p.lifetimeAdoptionLimit)}回` : "なし"}</dd>
        <dt>年度ごとの採択回数の上限(追加募集を含む)</dt><dd>{p.yearlyAdoptionLimit ? `年${count(p.yearlyAdoptionLimit)}回` : "なし"}</dd>
      </dl>
      {p.description && <p class="description">{p.description}</p>}
    </section>
  );
}

export function Programmes() {
  const list = usePaged(async (pageToken) => {
    const r = await proposals.listProgrammes({ pageSize: 20, pageToken });
    return { items: r.programmes, next: r.nextPageToken ?? "" };
  }, []);
  return (
    <section>
      <h1>制度とルール</h1>
      <p>提案は、その公募が属する制度のルールで要件確認されます。</p>
      <ProblemBox problem={list.problem} />
      {list.value?.items.map((p) => <Rules key={p.name} programme={p} />)}
      <Pager page={list.page} next={list.next} previous={list.previous} />
    </section>
  );
}
