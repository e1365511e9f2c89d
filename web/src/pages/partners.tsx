// Staff: partner search (furigana-aware: the server compares the display
// name and the kana reading after NFKC, case and hiragana/katakana folding,
// so さくらだい, サクラダイ and ｻｸﾗﾀﾞｲ find 例示・さくら台町内会) and a
// partner's profile (Gateway.GetPartnerProfile: the partner, its
// agreements, networks, projects and proposals).
import { useState } from "preact/hooks";
import { gateway, partners } from "../api.js";
import { Link, Pager, ProblemBox, proposalStateWords, useLoad, usePaged } from "../ui.js";
import { Partner_StateSchema } from "../gen/kyodo/partner/v1/partner_service_pb.js";
import { partnerKindWords, wardWords } from "./programmes.js";
import { labels } from "../labels.js";

const partnerStateWords = labels(Partner_StateSchema);

export function PartnerSearch() {
  const [typed, setTyped] = useState("");
  const [query, setQuery] = useState("");
  const found = usePaged(async (pageToken) => {
    if (!query) return { items: [], next: "" };
    const r = await partners.searchPartners({ query, pageSize: 20, pageToken });
    return { items: r.partners, next: r.nextPageToken ?? "" };
  }, [query]);
  return (
    <section>
      <h1>団体の検索</h1>
      <form role="search" onSubmit={(e) => { e.preventDefault(); setQuery(typed.trim()); }}>
        <label for="partner-query">名称またはふりがな(ひらがな・カタカナ・半角カナのどれでも)</label>{" "}
        <input id="partner-query" type="search" value={typed} onInput={(e) => setTyped((e.target as HTMLInputElement).value)} />{" "}
        <button type="submit">検索</button>
      </form>
      <ProblemBox problem={found.problem} />
      {query && found.value && (
        <table data-testid="partners">
          <caption>「{query}」の検索結果</caption>
          <thead><tr><th scope="col">名称</th><th scope="col">ふりがな</th><th scope="col">種別</th><th scope="col">区</th><th scope="col">状態</th></tr></thead>
          <tbody>
            {found.value.items.map((p) => (
              <tr key={p.name}>
                <td><Link href={`/staff/${p.name}`}>{p.displayName}</Link></td>
                <td>{p.nameKana}</td>
                <td>{partnerKindWords[p.kind ?? 0]}</td>
                <td>{wardWords[p.ward ?? 0]}</td>
                <td>{partnerStateWords[p.state ?? 0]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {query && found.value?.items.length === 0 && <p>見つかりませんでした。</p>}
      <Pager page={found.page} next={found.next} previous={found.previous} />
    </section>
  );
}

// Says that a list of the profile shows only its first 500 entries
// (PartnerProfile.truncated): the partner has more.
function FirstOnly(props: { cut: boolean }) {
  return props.cut ? <p role="note">最初の500件だけを表示しています。</p> : null;
}

export function PartnerProfile(props: { name: string }) {
  const profile = useLoad(() => gateway.getPartnerProfile({ name: props.name }), [props.name]);
  const v = profile.value;
  const p = v?.partner;
  return (
    <section>
      <h1>{p ? p.displayName : "団体"}</h1>
      <ProblemBox problem={profile.problem} />
      {p && (
        <dl data-testid="partner">
          <dt>ふりがな</dt><dd>{p.nameKana || "—"}</dd>
          <dt>種別</dt><dd>{partnerKindWords[p.kind ?? 0]}</dd>
          <dt>区</dt><dd>{wardWords[p.ward ?? 0]}</dd>
          {p.otherWards.length > 0 && (
            <><dt>ほかの活動区</dt><dd>{p.otherWards.map((w) => wardWords[w]).join("・")}</dd></>
          )}
          <dt>状態</dt><dd>{partnerStateWords[p.state ?? 0]}</dd>
          {p.address && <><dt>所在地</dt><dd>{p.address}</dd></>}
          {p.description && <><dt>説明</dt><dd>{p.description}</dd></>}
        </dl>
      )}
      {v && (
        <>
          <h2>協定</h2>
          {v.agreements.length ? <ul>{v.agreements.map((a) => <li key={a.name}>{a.displayName}</li>)}</ul> : <p>なし</p>}
          <FirstOnly cut={v.truncated.includes("agreements")} />
          <h2>ネットワーク</h2>
          {v.networks.length ? <ul>{v.networks.map((n) => <li key={n.name}>{n.displayName}</li>)}</ul> : <p>なし</p>}
          <FirstOnly cut={v.truncated.includes("networks")} />
          <h2>事業</h2>
          {v.projects.length ? <ul>{v.projects.map((x) => <li key={x.name}>{x.title}</li>)}</ul> : <p>なし</p>}
          <FirstOnly cut={v.truncated.includes("projects")} />
          <h2>提案</h2>
          {v.proposals.length ? (
            <ul data-testid="partner-proposals">{v.proposals.map((x) => <li key={x.name}>{x.title}({proposalStateWords[x.state ?? 0]})</li>)}</ul>
          ) : <p>なし</p>}
          <FirstOnly cut={v.truncated.includes("proposals")} />
        </>
      )}
      <p><Link href="/staff/partners">団体の検索へ戻る</Link></p>
    </section>
  );
}
