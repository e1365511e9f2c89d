// How the web console renders a decision of 5,000 proposals in Debian's
// chromium (puppeteer-core): the published-results page, whose table is
// the one the staff's decision preview shows (DecisionTable,
// web/src/pages/staff.tsx). The built console (web/build.sh) is served
// here by a small static server, and the page's one data request, the
// public surface's GET /public/v1/programmes/bench/calls/c5000
// (docs/HTTP.md), is answered with a decision of N results of the API's
// shape (a seeded PRNG; ranks, scores, reasons, amounts), so the browser
// does exactly what it does with the server's answer. The server's side of
// a 5,000-proposal preview is tests/bench/proposal/preview_bench.cc.
//
// Reported, median of RUNS page loads: the time from navigation to the
// first page of rows on screen, and to the last row with every page turned
// by a click (the table shows 200 rows at a time), the long tasks (> 50 ms, the Performance API's
// 'longtask' entries) summed and the longest: the page is frozen while one
// runs. Run by tests/bench/console/run.sh:
//   node render.mjs DIST_DIR [N=5000] [RUNS=5]
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const dist = process.argv[2];
const n = Number(process.argv[3] || 5000);
const runs = Number(process.argv[4] || 5);

function decision(count) {
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const results = [];
  let left = 50_000_000;
  for (let i = 0; i < count; i += 1) {
    const amount = 100_000 + Math.floor(rand() * 40) * 10_000;
    const adopted = left >= amount && i < 100;
    if (adopted) left -= amount;
    results.push({
      proposal: `programmes/bench/calls/c5000/proposals/p${i}`,
      title: `提案 ${i + 1} 地域の見守りと交流の活動`,
      applicant: `partners/a${i}`,
      rank: i + 1,
      score: (90 - (i * 80) / count).toFixed(4),
      reason: adopted ? 'ADOPTED' : 'BUDGET_EXHAUSTED',
      requestedAmountYen: String(amount),
      adoptedAmountYen: adopted ? String(amount) : '0',
      budgetLeftYen: String(left),
      reviews: 15,
    });
  }
  return {
    call: {
      name: 'programmes/bench/calls/c5000', displayName: `${count} 件の公募(計測用)`,
      fiscalYear: 2026, state: 'PUBLISHED', budgetYen: '50000000',
    },
    decision: {
      call: 'programmes/bench/calls/c5000', budgetYen: '50000000',
      totalAdoptedYen: String(50_000_000 - left), remainingBudgetYen: String(left),
      adoptedCount: results.filter((r) => r.reason === 'ADOPTED').length, results,
    },
  };
}

const answer = JSON.stringify(decision(n));
const types = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html' };
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/console-config.json') {
    res.setHeader('Content-Type', 'application/json');
    return res.end('{"issuer":"","clientId":""}');
  }
  if (url.pathname === '/public/v1/programmes/bench/calls/c5000') {
    res.setHeader('Content-Type', 'application/json');
    return res.end(answer);
  }
  const file = path.extname(url.pathname) ? url.pathname : '/index.html';
  const full = path.join(dist, path.normalize(file));
  if (!full.startsWith(dist) || !fs.existsSync(full)) {
    res.statusCode = 404;
    return res.end();
  }
  res.setHeader('Content-Type', `${types[path.extname(full)] || 'application/octet-stream'}; charset=utf-8`);
  return res.end(fs.readFileSync(full));
});
await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await puppeteer.launch({
  executablePath: process.env.KYODO_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--lang=ja-JP'],
  defaultViewport: { width: 1280, height: 900 },
});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const samples = [];
try {
  for (let run = 0; run < runs; run += 1) {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    await page.evaluateOnNewDocument(() => {
      window.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__longTasks.push(e.duration);
      }).observe({ type: 'longtask', buffered: true });
    });
    const t0 = Date.now();
    await page.goto(`${base}/results/programmes/bench/calls/c5000`);
    // The table shows its first page (200 rows) once the whole decision is
    // read; then every page is turned, as a reader would, to the last row.
    await page.waitForSelector('[data-testid=published] tbody tr', { timeout: 120000 });
    const shown = Date.now() - t0;
    await page.evaluate(() => new Promise((r) => { requestAnimationFrame(() => setTimeout(r, 100)); }));
    const loading = await page.evaluate(() => window.__longTasks.length);
    const last = `提案 ${n} 地域の見守りと交流の活動`;
    while (!(await page.evaluate((t) => document.querySelector('[data-testid=published]').textContent.includes(t), last))) {
      await page.locator('button::-p-text(次の)').click();
    }
    const all = Date.now() - t0;
    // A frame after the last row, so the last task has ended and is counted.
    await page.evaluate(() => new Promise((r) => { requestAnimationFrame(() => setTimeout(r, 100)); }));
    const tasks = await page.evaluate(() => window.__longTasks);
    const turning = tasks.slice(loading);
    samples.push({
      shown, all, total: tasks.reduce((a, b) => a + b, 0),
      loadLongest: Math.max(0, ...tasks.slice(0, loading)), turnLongest: Math.max(0, ...turning),
    });
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}
const fmt = (k) => `${Math.round(median(samples.map((s) => s[k])))} ms [${samples.map((s) => Math.round(s[k])).join(', ')}]`;
console.log(`decision of ${n} results, ${runs} loads (median [each]):`);
console.log(`  navigation to the first page of rows: ${fmt('shown')}`);
console.log(`  ... to the last row, every page turned: ${fmt('all')}`);
console.log(`  long tasks, summed:        ${fmt('total')}`);
console.log(`  longest task while loading: ${fmt('loadLongest')}`);
console.log(`  longest task turning a page: ${fmt('turnLongest')}`);
