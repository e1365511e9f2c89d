// A whole selection round through the web console's pages in Debian's
// chromium (puppeteer-core), as the people of a ward would do it: staff
// create a call from a previous one, add two committee members and open
// it; two applicants sign in, write and submit proposals (one sees the
// failed rule explained); staff close and start the review; two members
// work on their score sheets (one scores, one declares a conflict); staff
// preview the decision with a smaller what-if budget beside the call's own,
// finalize and publish; a visitor who never signs in finds nothing of the
// call before publication, then sees the results and downloads the CSV. It asserts on what is on the screen, saves a screenshot of every
// step, fails on any console error, failed request or serious/critical
// axe-core finding, and checks secrecy: the applicant and the member never
// see, on a page or in any response their pages received, another
// applicant's proposal, another member's scores, or results before they
// are published. Run by tests/web/run.sh, which passes in the environment:
//   KYODO_CONSOLE  the console's address (http://127.0.0.1:PORT)
//   KYODO_PASSWORD the demo accounts' password
//   KYODO_SHOTS    the folder for screenshots (in the build folder)
//   KYODO_WINDOW_SECONDS  how long the call stays open (default 45)
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import puppeteer from 'puppeteer-core';

const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const base = process.env.KYODO_CONSOLE;
const password = process.env.KYODO_PASSWORD;
const shots = process.env.KYODO_SHOTS;
const windowSeconds = Number(process.env.KYODO_WINDOW_SECONDS || 45);
const stamp = Date.now().toString(36);
// The fiscal year (from April) of today in Japan time: the walk's call's.
const japanNow = new Date(Date.now() + 9 * 3600e3);
const fy = japanNow.getUTCMonth() < 3 ? japanNow.getUTCFullYear() - 1 : japanNow.getUTCFullYear();
fs.mkdirSync(shots, { recursive: true });

const problems = [];
let step = 0;
let checks = 0;
function check(condition, what) {
  if (!condition) throw new Error(`check failed: ${what}`);
  checks += 1;
}

const browser = await puppeteer.launch({
  executablePath: process.env.KYODO_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--lang=ja-JP'],
  defaultViewport: { width: 1280, height: 900 },
});

// One person: a browser context of their own (cookies, session storage),
// every response their pages received kept for the secrecy checks.
const people = [];
async function person(who) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  page.setDefaultTimeout(60000);
  const received = [];
  const sent = [];
  // Addresses whose 404 the walk expects (a result not yet published), and
  // whose 400 it expects (a refusal it provokes on purpose).
  const expected404 = new Set();
  const expected400 = new Set();
  page.on('request', (r) => {
    if (r.url().startsWith(base)) sent.push({ url: r.url(), authorization: r.headers().authorization });
  });
  page.on('console', (m) => {
    // Chromium reports every 404 on the console, the expected one too.
    if (m.type() === 'error' && m.text().startsWith('Failed to load resource')
      && (expected404.has(m.location()?.url) || expected400.has(m.location()?.url))) return;
    if (m.type() === 'error') problems.push(`${who}: console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${who}: page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    // A download the page hands to the browser is aborted by design.
    if (r.failure()?.errorText === 'net::ERR_ABORTED' && r.url().startsWith('blob:')) return;
    problems.push(`${who}: request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('response', async (r) => {
    if (r.status() === 404 && expected404.has(r.url())) return;
    if (r.status() === 400 && expected400.has(r.url())) return;
    if (r.status() >= 400) problems.push(`${who}: HTTP ${r.status()} ${r.request().method()} ${r.url()}`);
    if (!r.url().startsWith(base) || r.request().method() === 'OPTIONS') return;
    if (r.status() >= 300 && r.status() < 400) return;
    try {
      received.push({ url: r.url(), body: await r.text() });
    } catch {
      // bodies of navigations replaced by a redirect are gone
    }
  });
  const p = { who, page, context, received, sent, expected404, expected400 };
  people.push(p);
  return p;
}

async function shot(p, name) {
  step += 1;
  const file = path.join(shots, `${String(step).padStart(2, '0')}-${name}.png`);
  await p.page.screenshot({ path: file, fullPage: true });
}

// axe-core on the page as it is now: no serious or critical violation.
async function axe(p, where) {
  const page = p.page;
  const injected = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!injected) {
    // Through the DevTools protocol: the console's CSP forbids inline scripts.
    const session = await page.createCDPSession();
    await session.send('Runtime.evaluate', { expression: axeSource });
    await session.detach();
  }
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  check(bad.length === 0, `axe on ${where}: ${JSON.stringify(bad)}`);
}

async function text(p) {
  return p.page.evaluate(() => document.body.innerText);
}

async function waitText(p, words) {
  await p.page.waitForFunction((w) => document.body.innerText.includes(w), {}, words);
}

// Sets a field found by its label, as typing would (Preact listens to input
// and change events).
async function fill(p, label, value) {
  await p.page.waitForFunction((l) => [...document.querySelectorAll('label')].some((x) => x.textContent.startsWith(l)), {}, label);
  const ok = await p.page.evaluate((l, v) => {
    const found = [...document.querySelectorAll('label')].find((x) => x.textContent.startsWith(l));
    const el = document.getElementById(found.htmlFor);
    if (!el) return false;
    el.focus();
    const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(el), 'value').set;
    setter.call(el, v);
    el.dispatchEvent(new Event(el.tagName === 'SELECT' ? 'change' : 'input', { bubbles: true }));
    return true;
  }, label, value);
  check(ok, `field ${label}`);
}

async function click(p, selector) {
  await p.page.locator(selector).click();
}

async function signIn(p, login) {
  await p.page.goto(`${base}/`);
  await click(p, 'button::-p-text(サインイン)');
  await p.page.waitForSelector('input[name=login]');
  await p.page.type('input[name=login]', login);
  await p.page.type('input[name=password]', password);
  await Promise.all([p.page.waitForNavigation(), click(p, 'button[type=submit]')]);
  if (await p.page.$('form[action$="/confirm"]')) {
    await Promise.all([p.page.waitForNavigation(), click(p, 'form[action$="/confirm"] button')]);
  }
  await p.page.waitForSelector('[data-testid=who]');
}

// The call's own page of staff, by its name.
async function openStaffCall(p, callName) {
  await p.page.goto(`${base}/staff/${callName}`);
  await p.page.waitForSelector('.state-line');
}

try {
  // Time to the first rendered page (docs/BENCHMARKS.md): a fresh browser
  // context loads / until the page's heading is drawn, three times.
  const firstRender = [];
  for (let i = 0; i < 3; i += 1) {
    const visitor = await person(`visitor-${i}`);
    const started = Date.now();
    await visitor.page.goto(`${base}/`);
    await visitor.page.waitForSelector('main h1');
    firstRender.push(Date.now() - started);
    if (i === 0) await axe(visitor, 'signed-out home');
    await visitor.context.close();
  }
  console.log(`walk: first render ${firstRender.join(', ')} ms`);

  // --- staff: create from a previous call, the committee, open ---------
  const staff = await person('staff');
  await signIn(staff, 'asao-staff');
  // The programmes and their rules (the menu's 制度とルール).
  await p_goto(staff, '/staff');
  await click(staff, 'a::-p-text(制度とルール)');
  await staff.page.waitForSelector('section.programme');
  const rules = await staff.page.$eval('main', (m) => m.innerText);
  check(rules.includes('麻生区市民提案型事業') && rules.includes('1年目: ￥700,000') && rules.includes('2年目: ￥500,000')
    && rules.includes('3年まで') && rules.includes('市民活動団体'), `the citizen-proposal programme's rules: ${rules}`);
  check(rules.includes('麻生区町内会事業提案制度') && rules.includes('3回') && rules.includes('年1回') && rules.includes('1 団体 1 件まで'), `the neighbourhood programme's rules: ${rules}`);
  await axe(staff, 'staff programmes');
  await shot(staff, 'staff-programmes');
  // Partner search is furigana-aware: katakana finds the hiragana reading.
  await click(staff, 'a::-p-text(団体)');
  await fill(staff, '名称またはふりがな', 'サクラダイ');
  await click(staff, 'button::-p-text(検索)');
  await staff.page.waitForSelector('[data-testid=partners] a');
  const foundPartners = await staff.page.$eval('[data-testid=partners]', (t) => t.innerText);
  check(foundPartners.includes('例示・さくら台町内会') && !foundPartners.includes('例示・みずき野自治会'), `partner search: ${foundPartners}`);
  await axe(staff, 'staff partner search');
  await click(staff, 'a::-p-text(例示・さくら台町内会)');
  await staff.page.waitForSelector('[data-testid=partner]');
  const profile = await staff.page.$eval('main', (m) => m.innerText);
  check(profile.includes('れいじ・さくらだいちょうないかい') && profile.includes('町内会・自治会') && profile.includes('麻生区') && profile.includes('提案'), `partner profile: ${profile}`);
  await axe(staff, 'staff partner profile');
  await shot(staff, 'staff-partner-profile');
  // A university active in two wards shows both (明治大学: 多摩区, 麻生区).
  await click(staff, 'a::-p-text(団体)');
  await fill(staff, '名称またはふりがな', 'めいじ');
  await click(staff, 'button::-p-text(検索)');
  await staff.page.waitForSelector('[data-testid=partners] a');
  await click(staff, 'a::-p-text(明治大学)');
  await staff.page.waitForSelector('[data-testid=partner]');
  const meiji = await staff.page.$eval('[data-testid=partner]', (m) => m.innerText);
  check(meiji.includes('多摩区') && /ほかの活動区\s*麻生区/.test(meiji), `明治大学's wards: ${meiji}`);
  await p_goto(staff, '/staff');
  await staff.page.waitForSelector('#create-call');
  // The form is drawn before the previous calls arrive: wait for the option
  // (a timeout leaves it empty and the check below fails).
  const template = await staff.page
    .waitForFunction(() => {
      const select = [...document.querySelectorAll('select')][0];
      return select && [...select.options].find((o) => o.textContent.includes('市民提案'))?.value;
    })
    .then((handle) => handle.jsonValue())
    .catch(() => undefined);
  check(Boolean(template), 'a previous call of the citizen-proposal programme is offered');
  await fill(staff, '元にする公募', template);
  const title = `ブラウザ試験の公募 ${stamp}`;
  await fill(staff, '公募の名称', title);
  await fill(staff, '年度', String(fy));
  const toJapan = (d) => new Date(d.getTime() + 9 * 3600e3).toISOString().slice(0, 19);
  let end = new Date(Math.ceil((Date.now() + windowSeconds * 1000) / 1000) * 1000);
  await fill(staff, '受付開始', toJapan(new Date(Date.now() - 3600e3)).slice(0, 16));
  await fill(staff, '受付締切', toJapan(end));
  await fill(staff, '予算額', '1000000');
  await fill(staff, '採択件数の上限', '0');
  await fill(staff, '提案ごとに必要な審査数', '1');
  await axe(staff, 'staff calls');
  await shot(staff, 'staff-create-call');
  await Promise.all([staff.page.waitForFunction(() => location.pathname.includes('/calls/')),
    click(staff, 'button::-p-text(公募を作成)')]);
  await waitText(staff, '状態: 準備中');
  const callName = await staff.page.evaluate(() => location.pathname.slice('/staff/'.length));
  // A member's mail address (where the notifier writes) is checked by the
  // service and the refusal shown at its field; nothing is added.
  await fill(staff, '委員の氏名', '例示 委員(学識経験者)');
  await fill(staff, '委員のサインイン ID', 'asao-shinsakai-2025-1');
  await fill(staff, '委員のメールアドレス', 'iin,1@example.jp');
  const createReviewer = `${base}/kyodo.proposal.v1.ProposalService/CreateReviewer`;
  staff.expected400.add(createReviewer);
  const refused = staff.page.waitForResponse((r) => r.url() === createReviewer);
  await click(staff, 'button::-p-text(委員を追加)');
  check((await refused).status() === 400, 'a bad address is INVALID_ARGUMENT (HTTP 400)');
  await staff.page.waitForSelector('[data-field="reviewer.email"]');
  staff.expected400.delete(createReviewer);
  check(!(await staff.page.evaluate(() => document.body.innerText.includes('ID: asao-shinsakai-2025-1'))),
    'a member with a bad address was added');
  for (const [name, id] of [['例示 委員(学識経験者)', 'asao-shinsakai-2025-1'], ['例示 委員(町内会連合会)', 'asao-shinsakai-2025-2']]) {
    await fill(staff, '委員の氏名', name);
    await fill(staff, '委員のサインイン ID', id);
    await fill(staff, '委員のメールアドレス', `${id}@example.jp`);
    await click(staff, 'button::-p-text(委員を追加)');
    await waitText(staff, `ID: ${id}`);
    await waitText(staff, `通知先 ${id}@example.jp`);
  }
  await click(staff, 'button::-p-text(公募を開始する)');
  await waitText(staff, '状態: 受付中');
  // Staff extend the deadline by five seconds (the window ends later).
  end = new Date(end.getTime() + 5000);
  await fill(staff, '新しい受付締切', toJapan(end));
  const updated = staff.page.waitForResponse((r) => r.url().endsWith('.ProposalService/UpdateCall'));
  await click(staff, 'button::-p-text(締切を延長する)');
  const updatedCall = await (await updated).json();
  check(updatedCall.submissionEndTime === end.toISOString().replace('.000Z', 'Z'), `the new deadline: ${updatedCall.submissionEndTime}`);
  await waitText(staff, '受付締切を延長しました');
  await axe(staff, 'staff call (extended)');
  await axe(staff, 'staff call (open)');
  await shot(staff, 'staff-call-open');

  // --- two applicants write and submit ---------------------------------
  async function apply(login, proposalTitle, amount) {
    const a = await person(login);
    await signIn(a, login);
    await p_goto(a, '/apply');
    await click(a, `a::-p-text(${title})`);
    await a.page.waitForSelector('[data-testid=cap]');
    check((await text(a)).includes('1年目 ￥700,000'), `${login} sees the amount cap in yen`);
    await fill(a, '件名', proposalTitle);
    await fill(a, '地域の課題', `${proposalTitle}: 高齢者の見守りの担い手が足りない`);
    await fill(a, '事業の計画', '毎月の見守り訪問と交流会を開く');
    await fill(a, '申請額', amount);
    await axe(a, `${login} new proposal`);
    await shot(a, `${login}-write`);
    await click(a, 'button::-p-text(下書きとして保存)');
    await waitText(a, '状態: 下書き');
    await click(a, 'button::-p-text(提出する)');
    await a.page.waitForSelector('[data-testid=screening]');
    await axe(a, `${login} proposal`);
    await shot(a, `${login}-submitted`);
    return a;
  }
  const titleA = `さくら台の見守り ${stamp}`;
  const titleB = `みずき野の交流会 ${stamp}`;
  const sakuradai = await apply('sakuradai', titleA, '500000');
  check((await text(sakuradai)).includes('すべての要件を満たしています'), 'sakuradai is eligible');
  const mizukino = await apply('mizukino', titleB, '800000');
  await mizukino.page.waitForSelector('[data-rule=AMOUNT_OVER_CAP]');
  check((await text(mizukino)).includes('申請額が上限を超えています'), 'mizukino sees the failed rule in words');
  const proposalA = await sakuradai.page.evaluate(() => location.pathname.slice('/proposal/'.length));

  // --- staff return sakuradai's proposal for correction (補正); it corrects
  // its plan and submits again, and is screened again --------------------
  await openStaffCall(staff, callName);
  await waitText(staff, titleA);
  await click(staff, `tr[data-proposal="${proposalA}"] button::-p-text(補正を依頼)`);
  const note = `見守り訪問の対象世帯数を計画に書いてください ${stamp}`;
  await fill(staff, '補正の内容', note);
  await fill(staff, '補正の期限', toJapan(new Date(Date.now() + 86400e3)).slice(0, 16));
  await axe(staff, 'staff return for correction');
  await click(staff, 'button[type=submit]::-p-text(補正を依頼する)');
  await waitText(staff, '補正依頼中');
  await shot(staff, 'staff-returned');
  await p_goto(sakuradai, `/proposal/${proposalA}`);
  await sakuradai.page.waitForSelector('[data-testid=correction]');
  check((await text(sakuradai)).includes(note), 'the applicant reads the staff\'s note');
  await axe(sakuradai, 'sakuradai correction');
  await shot(sakuradai, 'sakuradai-returned');
  const correctedPlan = '毎月の見守り訪問(対象 40 世帯)と交流会を開く';
  await fill(sakuradai, '事業の計画(補正)', correctedPlan);
  await click(sakuradai, 'button::-p-text(修正して再提出する)');
  await waitText(sakuradai, '状態: 要件確認済み');
  check((await text(sakuradai)).includes(correctedPlan) && (await text(sakuradai)).includes('すべての要件を満たしています'),
    'the corrected proposal is submitted again and screened again');

  // --- staff assign the first member its proposal (担当) ---------------
  await openStaffCall(staff, callName);
  await click(staff, 'li[data-member="asao-shinsakai-2025-1"] button::-p-text(担当する提案を選ぶ)');
  await staff.page.waitForSelector(`.assignments input[data-proposal="${proposalA}"]`);
  await click(staff, `.assignments input[data-proposal="${proposalA}"]`);
  await axe(staff, 'staff assignments');
  await click(staff, 'button::-p-text(担当を保存)');
  await staff.page.waitForFunction(() => document.querySelector('li[data-member="asao-shinsakai-2025-1"]')?.textContent.includes('担当 1件'));
  check((await text(staff)).includes('担当 全件'), 'the other member still reviews every proposal');

  // --- staff close (once the window has ended) and start the review ------
  await staff.page.waitForFunction((t) => Date.now() >= t, { timeout: (windowSeconds + 120) * 1000 }, end.getTime() + 1000);
  await openStaffCall(staff, callName);
  // The call page draws its state line before its proposals arrive: wait
  // for the rule's words (a timeout fails the walk) rather than read once.
  await waitText(staff, '申請額が上限を超えています');
  check((await text(staff)).includes('申請額が上限を超えています'), 'staff see the failed rule in words');
  await click(staff, 'button::-p-text(受付を締め切る)');
  await waitText(staff, '状態: 受付終了');
  await click(staff, 'button::-p-text(審査を開始する)');
  await waitText(staff, '状態: 審査中');
  await shot(staff, 'staff-review-started');

  // --- members: one scores, one declares a conflict -------------------
  const iin1 = await person('iin-1');
  await signIn(iin1, 'iin-1');
  await p_goto(iin1, '/review');
  await click(iin1, `a::-p-text(${title})`);
  await iin1.page.waitForSelector('[data-testid=progress]');
  check((await text(iin1)).includes('1件中 0件 採点済み'), 'member 1 sees its progress');
  check(!(await text(iin1)).includes(titleB), 'members are not offered the ineligible proposal');
  await click(iin1, `a::-p-text(${titleA})`);
  await iin1.page.waitForSelector('#sheet');
  const criteria = await iin1.page.evaluate(() => [...document.querySelectorAll('#sheet ~ .field select')]
    .map((s) => document.querySelector(`label[for="${s.id}"]`).textContent));
  check(criteria.length > 0 && criteria.every((c) => /配点の重み \d+、最高 \d+点/.test(c)), `criteria with weight and maximum: ${criteria}`);
  for (const c of criteria) await fill(iin1, c, '4');
  const comment1 = `委員1の講評 ${stamp}`;
  await fill(iin1, '講評', comment1);
  await axe(iin1, 'score sheet');
  await shot(iin1, 'member-score-sheet');
  await click(iin1, 'button::-p-text(採点を保存)');
  await waitText(iin1, '採点を保存しました');

  const iin2 = await person('iin-2');
  await signIn(iin2, 'iin-2');
  await p_goto(iin2, `/review/${proposalA}`);
  await iin2.page.waitForSelector('#conflict');
  await fill(iin2, '理由', '申請団体の役員を務めている');
  await click(iin2, 'button::-p-text(利益相反を申告する)');
  await waitText(iin2, '利益相反を申告しました');
  await waitText(iin2, '利益相反を申告済み');
  await axe(iin2, 'member conflict');
  await shot(iin2, 'member-conflict');

  // --- staff: progress, preview with a what-if budget, finalize, publish -
  await openStaffCall(staff, callName);
  await staff.page.waitForFunction(() => {
    const t = document.querySelector('table.matrix');
    return t && t.innerText.includes('採点済み') && t.innerText.includes('利害関係');
  });
  const matrix = await staff.page.$eval('table.matrix', (t) => t.innerText);
  check(matrix.includes('✓ 採点済み') && matrix.includes('⊘ 利害関係') && matrix.includes('有効な採点') && /\b1 \/ \d/.test(matrix), `progress matrix: ${matrix}`);
  await staff.page.waitForSelector('[data-testid=own] tr[data-reason=ADOPTED]');
  await fill(staff, '仮の予算額', '300000');
  await click(staff, 'button::-p-text(仮の条件で試算)');
  await staff.page.waitForSelector('[data-testid=what-if] tr[data-reason=BUDGET_EXHAUSTED]');
  const own = await staff.page.$eval('[data-testid=own]', (t) => t.innerText);
  const whatIf = await staff.page.$eval('[data-testid=what-if]', (t) => t.innerText);
  check(own.includes('予算 ￥1,000,000') && own.includes('採択 1件'), `own preview: ${own}`);
  check(whatIf.includes('予算 ￥300,000') && whatIf.includes('採択 0件') && whatIf.includes('予算の残りが足りず'), `what-if preview: ${whatIf}`);
  await axe(staff, 'staff preview');
  await shot(staff, 'staff-preview');
  await click(staff, 'button::-p-text(採否を決定する…)');
  await waitText(staff, '申請者には見えません');
  await click(staff, 'button::-p-text(決定する)');
  await waitText(staff, '状態: 決定済み');

  // Before publication: a visitor who never signs in finds nothing of it
  // (the public surface answers as for no call), nor does the applicant or
  // the member.
  const visitor = await person('visitor');
  visitor.expected404.add(`${base}/public/v1/${callName}`);
  await p_goto(visitor, `/results/${callName}`);
  await waitText(visitor, '公表されていません');
  check(!(await visitor.page.$('[data-testid=published]')), 'no results for a visitor before publication');
  check(!(await text(visitor)).includes(titleA), 'the visitor sees no proposal before publication');
  await axe(visitor, 'results before publication');
  await shot(visitor, 'visitor-not-published');
  // Before publication: the applicant and the member look again.
  await sakuradai.page.goto(`${base}/proposal/${proposalA}`);
  await waitText(sakuradai, titleA);
  check(!(await sakuradai.page.$('[data-testid=result]')), 'no result for the applicant before publication');
  await iin2.page.goto(`${base}/review/${proposalA}`);
  await waitText(iin2, titleA);
  const applicantBefore = [...sakuradai.received];

  await click(staff, 'button::-p-text(結果を公表する…)');
  await waitText(staff, '取り消せません');
  await click(staff, 'button::-p-text(公表する)');
  await waitText(staff, '状態: 結果公表済み');
  await shot(staff, 'staff-published');
  // The ward dashboard: this fiscal year's proposals by state, yen by year.
  await click(staff, 'a::-p-text(ダッシュボード)');
  await staff.page.waitForSelector('[data-testid=by-year] svg');
  const byState = await staff.page.$eval('[data-testid=by-state] table', (t) => t.innerText);
  const byYear = await staff.page.$eval('[data-testid=by-year] table', (t) => t.innerText);
  check(/採択\s+\d+件/.test(byState) && /要件不適合\s+\d+件/.test(byState), `proposals by state: ${byState}`);
  check(byYear.includes(`${fy}年度`) && byYear.includes(`${fy - 4}年度`) && /￥[\d,]+/.test(byYear), `yen by fiscal year: ${byYear}`);
  check(await staff.page.$eval('[data-testid=by-state] svg', (g) => g.querySelectorAll('rect').length) >= 2, 'bars are drawn');
  await axe(staff, 'staff dashboard');
  await shot(staff, 'staff-dashboard');
  // The consignment project publication made, and its dossier.
  await click(staff, 'a::-p-text(事業)');
  await click(staff, `[data-testid=projects] a::-p-text(${titleA})`);
  await staff.page.waitForSelector('[data-testid=source]');
  const dossier = await staff.page.$eval('main', (m) => m.innerText);
  check(dossier.includes('順位 1') && dossier.includes('採択額 ￥500,000'), `the dossier's source proposal: ${dossier}`);
  const parties = await staff.page.$eval('[data-testid=parties]', (t) => t.innerText);
  check(parties.includes('例示・さくら台町内会') && parties.includes('実施主体') && parties.includes('市の担当'), `the dossier's parties: ${parties}`);
  const given = await staff.page.$eval('[data-testid=contributions]', (t) => t.innerText);
  check(given.includes('委託') && given.includes('￥500,000'), `the dossier's consignment: ${given}`);
  await axe(staff, 'staff project dossier');
  await shot(staff, 'staff-project-dossier');

  // --- secrecy: what the applicant and the member received -------------
  const applicantSeen = sakuradai.received.map((r) => r.body).join('\n') + (await text(sakuradai));
  check(!applicantSeen.includes(titleB), 'sakuradai never received mizukino\'s proposal');
  check(!applicantSeen.includes(comment1), 'the applicant never received a member\'s comment');
  // Nothing of this call's outcome before publication: no result on the
  // proposal, no decided state, no ranked entry naming it.
  const early = [];
  const visit = (x) => {
    if (Array.isArray(x)) return x.forEach(visit);
    if (!x || typeof x !== 'object') return;
    if (x.name === proposalA && (x.result || ['ADOPTED', 'NOT_ADOPTED'].includes(x.state))) early.push(JSON.stringify(x));
    if (x.proposal === proposalA || (x.call === callName && x.results)) early.push(JSON.stringify(x));
    Object.values(x).forEach(visit);
  };
  for (const r of applicantBefore) {
    try { visit(JSON.parse(r.body)); } catch { /* not JSON (the page, its scripts) */ }
  }
  check(applicantBefore.some((r) => r.body.includes(proposalA)), 'the applicant\'s responses name its proposal');
  check(early.length === 0, `the applicant received its result before publication: ${early.join(' ')}`);
  const mizukinoSeen = mizukino.received.map((r) => r.body).join('\n') + (await text(mizukino));
  check(!mizukinoSeen.includes(titleA), 'mizukino never received sakuradai\'s proposal');
  const memberSeen = iin2.received.map((r) => r.body).join('\n') + (await text(iin2));
  check(!memberSeen.includes(comment1), 'member 2 never received member 1\'s comment');
  check(!/"scores"/.test(memberSeen), 'member 2 never received scores');
  check(sakuradai.received.length > 5 && iin2.received.length > 3, 'responses were recorded');

  // After publication the applicant sees its result.
  await sakuradai.page.goto(`${base}/proposal/${proposalA}`);
  await sakuradai.page.waitForSelector('[data-testid=result]');
  check((await text(sakuradai)).includes('採択'), 'the applicant sees its result once published');
  await shot(sakuradai, 'applicant-result');

  // --- the results and the CSV, signed out ----------------------------
  // The visitor never signs in: the pages read the gateway's public
  // surface (/public/v1/), which calls the services with a viewer
  // credential of its own.
  const reader = visitor;
  await p_goto(reader, '/');
  await waitText(reader, 'サインインせずに見られます');
  await click(reader, 'a::-p-text(公表された審査結果とオープンデータ)');
  await click(reader, `a::-p-text(${title})`);
  await reader.page.waitForSelector('[data-testid=published] tr[data-reason=ADOPTED]');
  const published = await reader.page.$eval('[data-testid=published]', (t) => t.innerText);
  check(published.includes(titleA) && published.includes('￥500,000'), `published results: ${published}`);
  check(!published.includes(titleB), 'the ineligible proposal is not published');
  await axe(reader, 'public results');
  await shot(reader, 'public-results');
  // The download as the browser saves it (DevTools: download events).
  const downloads = path.join(shots, 'downloads');
  fs.mkdirSync(downloads, { recursive: true });
  const cdp = await reader.page.createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', {
    behavior: 'allowAndName', downloadPath: downloads, eventsEnabled: true, browserContextId: reader.context.id,
  });
  const saved = new Promise((resolve, reject) => {
    let suggested = '';
    cdp.on('Browser.downloadWillBegin', (e) => { suggested = e.suggestedFilename; });
    cdp.on('Browser.downloadProgress', (e) => {
      if (e.state === 'completed') resolve({ file: path.join(downloads, e.guid), suggested });
      if (e.state === 'canceled') reject(new Error('the CSV download was canceled'));
    });
  });
  const csv = reader.page.waitForResponse((r) => r.url().includes('/public/v1/open-data/results.csv'));
  await click(reader, 'button::-p-text(審査結果 CSV)');
  const answer = await csv;
  check(answer.status() === 200, 'the CSV download answered 200');
  check((answer.headers()['content-type'] || '').startsWith('text/csv'), 'a CSV');
  const download = await saved;
  check(download.suggested === `kyodo-results-${fy}.csv`, `the file's name: ${download.suggested}`);
  const body = fs.readFileSync(download.file, 'utf8');
  check(body.startsWith('\ufeff公募ID,'), 'a CSV with its header, BOM first (Excel)');
  check(body.includes(titleA), 'the CSV lists the adopted proposal');
  // The projects, signed out, reached from the front page with the
  // keyboard alone: the consignment project publication made, its 年度 and
  // its 委託料 in yen.
  await p_goto(reader, '/');
  await keyTo(reader, '協働事業の一覧');
  await reader.page.keyboard.press('Enter');
  await reader.page.waitForSelector(`[data-testid=public-projects] th::-p-text(${titleA})`);
  check(await reader.page.evaluate(() => window.location.pathname) === '/projects', 'Enter on the link opened /projects');
  const rows = await reader.page.$$eval('[data-testid=public-projects] tbody tr', (trs) => trs.map((t) => t.innerText));
  const row = rows.find((r) => r.includes(titleA)) || '';
  check(row.includes(`${fy}年度`) && row.includes('￥500,000'), `the public project: ${row}`);
  check(!rows.some((r) => r.includes(titleB)), 'no project from the ineligible proposal');
  await axe(reader, 'public projects');
  await shot(reader, 'public-projects');
  // The example FY2026 round (deploy/local/data/20_proposals.textproto):
  // the committee's 減額採択 with its reason, and beside each result the
  // ranking changed, what the ranking alone gave.
  await p_goto(reader, '/results');
  await click(reader, 'a::-p-text(令和8年度 麻生区市民提案型事業 募集)');
  await reader.page.waitForSelector('[data-testid=published] tr[data-reason=ADOPTED]');
  const ruled = await reader.page.$$eval('[data-testid=published] tbody tr', (trs) => trs.map((t) => t.innerText));
  const reduced = ruled.find((r) => r.includes('里山の散策路マップづくり')) || '';
  check(reduced.includes('減額採択(理由: 地図の印刷部数を見直し、印刷費を減額する。)') &&
    reduced.includes('￥450,000') && reduced.includes('順位のみでは: 採択 ￥600,000'), `the reduced adoption: ${reduced}`);
  const madeRoom = ruled.find((r) => r.includes('地域の子ども食堂')) || '';
  check(madeRoom.includes('順位のみでは: 予算の残りが足りず'), `the adoption the reduction made room for: ${madeRoom}`);
  const unchanged = ruled.find((r) => r.includes('多世代交流カフェ')) || '';
  check(!unchanged.includes('順位のみでは'), `a result the committee did not change: ${unchanged}`);
  await axe(reader, 'public results with a ruling');
  await shot(reader, 'public-results-ruling');
  check(reader.sent.length > 3 && reader.sent.every((r) => !r.authorization), 'the visitor sent no token, ever');
  check(reader.sent.some((r) => r.url.includes('/public/v1/')), 'the visitor read the public surface');

  if (problems.length) throw new Error(`problems during the walk:\n${problems.join('\n')}`);
  console.log(`walk: ${checks} checks passed, ${step} screenshots in ${shots}`);
} catch (err) {
  console.error(String(err?.stack || err));
  // Where each person's page was when the walk failed.
  for (const p of people) {
    await p.page.screenshot({ path: path.join(shots, `failed-${p.who}.png`), fullPage: true }).catch(() => {});
    console.error(`${p.who} was at ${p.page.url()}`);
  }
  if (problems.length) console.error(problems.join('\n'));
  process.exitCode = 1;
} finally {
  await browser.close();
}

// Tab from the top of the page until the focus is on the link that reads
// `words` (at most 40 presses): the page is usable without a mouse.
async function keyTo(p, words) {
  await p.page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
  for (let i = 0; i < 40; i += 1) {
    await p.page.keyboard.press('Tab');
    const focused = await p.page.evaluate(() => document.activeElement?.textContent || '');
    if (focused.includes(words)) return;
  }
  throw new Error(`no link reading ${words} reached with Tab`);
}

async function p_goto(p, where) {
  await p.page.goto(`${base}${where}`);
  await p.page.waitForSelector('main h1');
}
