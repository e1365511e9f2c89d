// kyodo's ward-office web console: the shell (header, navigation by role,
// sign-in and out) and the routes of the pages. docs/CONSOLE.md.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { canSignIn, currentUser, signIn, signOut, startAuth, type Who } from "./auth.js";
import { ApplicantHome, NewProposal, ProposalPage } from "./pages/applicant.js";
import { MemberCall, MemberHome, ScoreSheet } from "./pages/member.js";
import { Dashboard } from "./pages/dashboard.js";
import { PartnerProfile, PartnerSearch } from "./pages/partners.js";
import { Programmes } from "./pages/programmes.js";
import { ProjectDossier, ProjectList, PublicProjects } from "./pages/projects.js";
import { PublishedCalls, PublishedResult } from "./pages/results.js";
import { StaffCall, StaffCalls } from "./pages/staff.js";
import { Link } from "./ui.js";
import "./style.css";

const roleWords: Record<string, string> = {
  admin: "システム管理者",
  ward_staff: "区役所職員",
  reviewer: "審査委員",
  applicant: "申請団体",
  viewer: "閲覧者",
};

function usePath(): string {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const update = () => setPath(window.location.pathname);
    window.addEventListener("popstate", update);
    return () => window.removeEventListener("popstate", update);
  }, []);
  useEffect(() => {
    // The new page's heading, for keyboards and screen readers.
    const heading = document.querySelector<HTMLElement>("main h1");
    heading?.setAttribute("tabindex", "-1");
    heading?.focus();
  }, [path]);
  return path;
}

function staff(who?: Who) {
  return who?.role === "ward_staff" || who?.role === "admin";
}

function Page(props: { path: string; who?: Who }) {
  const { path, who } = props;
  const rest = (prefix: string) => path.slice(prefix.length);
  if (path.startsWith("/results/programmes/")) return <PublishedResult call={rest("/results/")} />;
  if (path === "/results") return <PublishedCalls />;
  if (path === "/projects") return <PublicProjects />;
  if (!who) {
    // Signed out: the published results and the projects through the
    // gateway's public surface (public.ts); everything else needs a sign-in.
    return (
      <section>
        <h1>kyodo 協働 区役所コンソール</h1>
        <p>公募・提案・審査・公表された審査結果を扱います。公募・提案・審査は右上の「サインイン」からお入りください。</p>
        <p><Link href="/results">公表された審査結果とオープンデータ</Link>、<Link href="/projects">協働事業の一覧</Link>はサインインせずに見られます。</p>
      </section>
    );
  }
  if (staff(who)) {
    if (path === "/staff/programmes") return <Programmes />;
    if (path === "/staff/dashboard") return <Dashboard ward={who.ward} />;
    if (path === "/staff/projects") return <ProjectList />;
    if (path.startsWith("/staff/projects/")) return <ProjectDossier name={rest("/staff/")} />;
    if (path === "/staff/partners") return <PartnerSearch />;
    if (path.startsWith("/staff/partners/")) return <PartnerProfile name={rest("/staff/")} />;
    if (path.startsWith("/staff/programmes/")) return <StaffCall name={rest("/staff/")} />;
    return <StaffCalls />;
  }
  if (who.role === "reviewer") {
    if (/^\/review\/programmes\/[^/]+\/calls\/[^/]+\/proposals\//.test(path)) {
      return <ScoreSheet proposal={rest("/review/")} principal={who.reviewer} />;
    }
    if (path.startsWith("/review/programmes/")) return <MemberCall call={rest("/review/")} principal={who.reviewer} />;
    return <MemberHome />;
  }
  if (who.role === "applicant") {
    if (path.startsWith("/apply/programmes/")) return <NewProposal call={rest("/apply/")} partner={who.partner} />;
    if (path.startsWith("/proposal/programmes/")) return <ProposalPage name={rest("/proposal/")} />;
    return <ApplicantHome />;
  }
  return <PublishedCalls />;
}

function App(props: { who?: Who }) {
  const path = usePath();
  const who = props.who;
  return (
    <>
      <a class="skip" href="#main">本文へ移動</a>
      <header>
        <p class="brand"><Link href="/">kyodo 協働 ・ 区役所コンソール</Link></p>
        <nav aria-label="メニュー">
          <ul>
            {staff(who) && <li><Link href="/staff">公募と審査</Link></li>}
            {staff(who) && <li><Link href="/staff/programmes">制度とルール</Link></li>}
            {staff(who) && <li><Link href="/staff/partners">団体</Link></li>}
            {staff(who) && <li><Link href="/staff/projects">事業</Link></li>}
            {staff(who) && <li><Link href="/staff/dashboard">ダッシュボード</Link></li>}
            {who?.role === "reviewer" && <li><Link href="/review">審査</Link></li>}
            {who?.role === "applicant" && <li><Link href="/apply">提案</Link></li>}
            <li><Link href="/results">審査結果</Link></li>
          </ul>
        </nav>
        <p class="who">
          {who ? (
            <>
              <span data-testid="who">{who.name}({roleWords[who.role] ?? who.role})</span>{" "}
              <button type="button" onClick={() => signOut()}>サインアウト</button>
            </>
          ) : canSignIn() ? (
            <button type="button" onClick={() => signIn()}>サインイン</button>
          ) : null}
        </p>
      </header>
      <main id="main">
        <Page path={path} who={who} />
      </main>
    </>
  );
}

async function start() {
  const root = document.getElementById("app")!;
  try {
    await startAuth();
    const who = await currentUser();
    root.textContent = "";
    render(<App who={who} />, root);
  } catch (err) {
    root.textContent = `読み込みに失敗しました: ${String(err)}`;
  }
}

void start();
