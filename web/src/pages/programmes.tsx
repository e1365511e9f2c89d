// Staff: the programmes (制度) and their rules, the ones every proposal is
// screened against: who may apply, the amount caps per continuation year,
// how many years a project may continue, the limits per applicant. Read
// page by page with the API's page tokens.
import { proposals } from "../api.js";
import { count, yen } from "../format.js";
import { PartnerKind } from "../gen/kyodo/partner/v1/partner_service_pb.js";
import { Programme_Kind, type Programme } from "../gen/kyodo/proposal/v1/proposal_service_pb.js";
import { Ward } from "../gen/kyodo/type/v1/ward_pb.js";
import { Pager, ProblemBox, usePaged } from "../ui.js";

const kindWords: Record<number, string> = {
  [Programme_Kind.KIND_UNSPECIFIED]: "不明",
  [Programme_Kind.WARD_CITIZEN_PROPOSAL]: "区の市民提案型事業",
  [Programme_Kind.NEIGHBOURHOOD_ASSOCIATION_PROPOSAL]: "町内会事業提案制度",
  [Programme_Kind.OTHER]: "その他",
};

export const wardWords: Record<number, string> = {
  [Ward.WARD_UNSPECIFIED]: "—",
  [Ward.KAWASAKI]: "川崎区",
  [Ward.SAIWAI]: "幸区",
  [Ward.NAKAHARA]: "中原区",
  [Ward.TAKATSU]: "高津区",
  [Ward.MIYAMAE]: "宮前区",
  [Ward.TAMA]: "多摩区",
  [Ward.ASAO]: "麻生区",
};

export const partnerKindWords: Record<number, string> = {
  [PartnerKind.PARTNER_KIND_UNSPECIFIED]: "不明",
  [PartnerKind.CIVIC_GROUP]: "市民活動団体",
  [PartnerKind.UNIVERSITY]: "大学等",
  [PartnerKind.COMPANY]: "企業",
  [PartnerKind.NEIGHBOURHOOD_ASSOCIATION]: "町内会・自治会",
  [PartnerKind.COMMUNITY_ORGANISATION]: "地域団体",
  [PartnerKind.WELFARE_COUNCIL]: "地区社会福祉協議会",
  [PartnerKind.BUSINESS_ASSOCIATION]: "事業者団体・商店会",
  [PartnerKind.MUNICIPALITY]: "他自治体",
  [PartnerKind.CITY_UNIT]: "市の組織",
};

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
