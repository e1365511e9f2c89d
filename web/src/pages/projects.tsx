// Staff: the projects (協働事業), page by page, and a project's dossier
// (Gateway.GetProjectDossier): the project with its parties, its
// contributions (委託料 and the other forms), the proposal it was selected
// from and that proposal's result. Anyone, signed in or not: the projects
// as a viewer reads them (PublicProjects; signed out, the gateway's public
// surface, public.ts).
import { gateway, projects, token } from "../api.js";
import { count, fiscalYear, yen } from "../format.js";
import {
  ContributionFormSchema,
  ExpenseLine_ItemSchema,
  Participant_RoleSchema,
  Project_StateSchema,
} from "../gen/kyodo/project/v1/project_service_pb.js";
import { publicProjects } from "../public.js";
import { Link, Pager, ProblemBox, useLoad, usePaged } from "../ui.js";
import { partnerKindWords, wardWords } from "./programmes.js";
import { labels } from "../labels.js";

const projectStateWords = labels(Project_StateSchema);

const roleWords = labels(Participant_RoleSchema);

const formWords = labels(ContributionFormSchema);

const itemWords = labels(ExpenseLine_ItemSchema);

export function ProjectList() {
  const list = usePaged(async (pageToken) => {
    const r = await projects.listProjects({ pageSize: 50, pageToken });
    return { items: r.projects, next: r.nextPageToken ?? "" };
  }, []);
  return (
    <section>
      <h1>協働事業</h1>
      <ProblemBox problem={list.problem} />
      <table data-testid="projects">
        <caption>事業の一覧</caption>
        <thead><tr><th scope="col">事業</th><th scope="col">開始年度</th><th scope="col">区</th><th scope="col">状態</th></tr></thead>
        <tbody>
          {list.value?.items.map((p) => (
            <tr key={p.name}>
              <td><Link href={`/staff/${p.name}`}>{p.title}</Link></td>
              <td>{fiscalYear(p.startFiscalYear)}</td>
              <td>{p.wards.map((w) => wardWords[w]).join("、") || "—"}</td>
              <td>{projectStateWords[p.state ?? 0]}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager page={list.page} next={list.next} previous={list.previous} />
    </section>
  );
}

// The yen a project's contributions carry (委託料, 補助, 助成, …).
function fundsYen(p: { contributions: { amountYen?: bigint }[] }): bigint {
  return p.contributions.reduce((sum, c) => sum + (c.amountYen ?? 0n), 0n);
}

export function PublicProjects() {
  const list = usePaged(async (pageToken) => {
    if (!token()) return publicProjects(pageToken);
    const r = await projects.listProjects({ pageSize: 50, pageToken });
    return { items: r.projects, next: r.nextPageToken ?? "" };
  }, []);
  return (
    <section>
      <h1>協働事業の一覧</h1>
      <p>公表された審査結果から始まった事業を含む、区と団体の協働事業です。</p>
      <ProblemBox problem={list.problem} />
      <table data-testid="public-projects">
        <caption>協働事業</caption>
        <thead>
          <tr><th scope="col">事業</th><th scope="col">開始年度</th><th scope="col">区</th><th scope="col">状態</th><th scope="col">資金の提供</th></tr>
        </thead>
        <tbody>
          {list.value?.items.map((p) => {
            const funds = fundsYen(p);
            return (
              <tr key={p.name}>
                <th scope="row">{p.title}</th>
                <td>{fiscalYear(p.startFiscalYear)}</td>
                <td>{p.wards.map((w) => wardWords[w]).join("、") || "—"}</td>
                <td>{projectStateWords[p.state ?? 0]}</td>
                <td class="num">{funds ? yen(funds) : "—"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {list.value && !list.value.items.length && <p>事業はまだありません。</p>}
      <Pager page={list.page} next={list.next} previous={list.previous} />
      <p><Link href="/results">公表された審査結果とオープンデータ</Link></p>
    </section>
  );
}

export function ProjectDossier(props: { name: string }) {
  const dossier = useLoad(() => gateway.getProjectDossier({ name: props.name }), [props.name]);
  const d = dossier.value;
  const p = d?.project;
  const partyName = (name?: string) => d?.parties.find((x) => x.name === name)?.displayName ?? name ?? "—";
  return (
    <section>
      <h1>{p ? p.title : "協働事業"}</h1>
      <ProblemBox problem={dossier.problem} />
      {p && (
        <>
          <p class="state-line">状態: {projectStateWords[p.state ?? 0]} ・ 開始 {fiscalYear(p.startFiscalYear)}</p>
          {p.issue && <><h2>地域の課題</h2><p>{p.issue}</p></>}
          <h2>参加する団体</h2>
          <table data-testid="parties">
            <caption>役割分担</caption>
            <thead><tr><th scope="col">団体</th><th scope="col">種別</th><th scope="col">役割</th><th scope="col">担うこと</th></tr></thead>
            <tbody>
              {p.participants.map((x) => {
                const party = d?.parties.find((y) => y.name === x.partner);
                return (
                  <tr key={x.partner}>
                    <td><Link href={`/staff/${x.partner}`}>{partyName(x.partner)}</Link></td>
                    <td>{partnerKindWords[party?.kind ?? 0]}</td>
                    <td>{roleWords[x.role ?? 0]}</td>
                    <td>{x.responsibilities || "—"}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <h2>資源の提供</h2>
          {p.contributions.length ? (
            <ul data-testid="contributions">
              {p.contributions.map((c, i) => (
                <li key={i}>{formWords[c.form ?? 0]}: {partyName(c.fromPartner)} → {partyName(c.toPartner)}{c.amountYen ? ` ${yen(c.amountYen)}` : ""}{c.description ? `(${c.description})` : ""}
                  {c.expenseLines.length > 0 && (
                    <ul data-testid="expense-lines">
                      {c.expenseLines.map((l, j) => (
                        <li key={j}>{itemWords[l.item ?? 0]} {yen(l.amountYen)}{l.description ? `(${l.description})` : ""}</li>
                      ))}
                    </ul>
                  )}
                </li>
              ))}
            </ul>
          ) : <p>なし</p>}
          <h2>もとの提案</h2>
          {d?.sourceProposal ? (
            <p data-testid="source">
              {d.sourceProposal.title}
              {d.result && `(順位 ${count(d.result.rank)}、得点 ${d.result.score ?? "—"}、採択額 ${yen(d.result.adoptedAmountYen)})`}
            </p>
          ) : <p>なし(公募によらない事業)</p>}
        </>
      )}
      <p><Link href="/staff/projects">事業の一覧へ戻る</Link></p>
    </section>
  );
}
