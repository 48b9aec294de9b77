// Studio list benchmark: how long from clicking "Contacts" in the studio's navigation until the
// first page of rows is on screen, in Debian's chromium, against a real server holding N
// contacts (seeded through the bulk API). Appends a section to bench/RESULTS.md.
//
//   npx tsx bench/studio-list.ts [--db pglite|postgres] [--contacts 100000] [--runs 15] [--no-write]
//                                [--copy]   (postgres: seed with bench/seed.ts's COPY, for 1M rows)
//                                [--reuse]  (postgres: keep a schema already seeded by --keep)
//
// On postgres it works in its own schema (kz_studio_bench, dropped afterwards unless --keep).
import { serve, type ServerType } from '@hono/node-server';
import { appendFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import postgres from 'postgres';
import { ensureStudioBuilt } from '../platform/studio/build.ts';
import { seed } from './seed.ts';
import { startKizuna, type TestKizuna } from '../platform/testing/kizuna.ts';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1] : dflt;
};
const db = opt('db', 'pglite') as 'pglite' | 'postgres';
const N = Number(opt('contacts', '100000'));
const RUNS = Number(opt('runs', '15'));
const root = resolve(import.meta.dirname, '..');
const PASSWORD = 'bench-password-123';
const SCHEMA = 'kz_studio_bench';

const lifecycles = ['lead', 'prospect', 'customer', 'churned'];
const lastNames = ['山田', '佐藤', '鈴木', '高橋', '田中', '伊藤', 'Smith', 'Brown', '渡辺', '中村'];
const firstNames = ['太郎', '花子', '一郎', '美咲', 'John', 'Emma', '健', '陽菜'];

async function seedContacts(k: TestKizuna): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < N; i += 1000) {
    const records = Array.from({ length: Math.min(1000, N - i) }, (_, j) => {
      const n = i + j;
      return {
        last_name: lastNames[n % 10],
        first_name: firstNames[n % 8],
        email: `p${n}@example.jp`,
        lifecycle: lifecycles[n % 4],
        city: n % 3 ? '東京' : '大阪',
      };
    });
    const r = await k.call('POST', '/api/records/contact/bulk', { records });
    if (r.status !== 200) throw new Error(`bulk failed: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    if ((i / 1000) % 50 === 0) process.stdout.write(`  seeded ${(i + 1000).toLocaleString('en')}\r`);
  }
  return (performance.now() - t0) / 1000;
}

/** Click a nav link and resolve when the first data row exists, timed inside the page. (A
 *  string, not a function: tsx would add helpers the page does not have.) */
const timeTo = (page: Page, link: string) =>
  page.evaluate<number>(`new Promise((done) => {
    const t0 = performance.now();
    const obs = new MutationObserver(() => {
      if (document.querySelector('[data-testid=records] tbody tr[data-index]') || document.querySelector('.list-page .empty')) {
        obs.disconnect();
        requestAnimationFrame(() => done(performance.now() - t0)); // painted, not just in the DOM
      }
    });
    obs.observe(document.body, { childList: true, subtree: true });
    document.querySelector(${JSON.stringify(link)}).click();
  })`);

/** The home page's record counts are in, so none is still running when the list is asked for. */
const homeSettled = (page: Page) =>
  page.waitForFunction(
    `document.querySelectorAll('.object-card .count').length > 0 && [...document.querySelectorAll('.object-card .count')].every((e) => e.textContent.trim() !== '')`,
    undefined,
    { timeout: 120_000 },
  );

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { first: xs[0], median: q(0.5), p90: q(0.9), min: s[0], max: s[s.length - 1] };
};

async function main() {
  const dist = await ensureStudioBuilt({ root });
  console.log(`studio list bench: ${N.toLocaleString('en')} contacts on ${db}`);
  const reuse = db === 'postgres' && argv.includes('--reuse');
  if (db === 'postgres' && !reuse) {
    const admin = postgres(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop schema if exists ${SCHEMA} cascade`).finally(() => admin.end());
  }
  const k = await startKizuna(db, { studioDir: dist, ...(db === 'postgres' && { schema: SCHEMA }) });
  const me = await k.call('GET', '/api/auth/me');
  await k.call('PATCH', `/api/users/${me.body.user.id}`, { password: PASSWORD });
  const copy = db === 'postgres' && argv.includes('--copy');
  let seeded = 0;
  const have = (await k.call('GET', '/api/records/contact?limit=1&fields=id&count=exact')).body.page.total as number;
  if (reuse && have >= N) {
    console.log(`  reusing ${have.toLocaleString('en')} contacts`);
  } else if (copy) {
    // bench/seed.ts writes the columns of the API bench, which has a score field.
    await k.call('POST', '/api/meta/objects/contact/fields', {
      name: 'score',
      type: 'integer',
      label: { en: 'Score', ja: 'スコア' },
      indexed: true,
      minimum: 0,
      maximum: 100,
    });
    const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    const sql = postgres(url, { max: 1, onnotice: () => {}, connection: { search_path: `${SCHEMA},public`, TimeZone: 'UTC' } });
    try {
      seeded = (
        await seed(sql, {
          schema: SCHEMA,
          companies: Math.max(1, Math.round(N / 20)),
          contacts: N,
          actor: me.body.user.id,
          log: (m) => console.log(m),
        })
      ).seconds;
    } finally {
      await sql.end();
    }
  } else {
    seeded = await seedContacts(k);
  }
  console.log(`  seeded ${N.toLocaleString('en')} contacts in ${seeded.toFixed(1)} s`);

  const server = await new Promise<ServerType>((ready) => {
    const s = serve({ fetch: k.app.fetch, port: 0, hostname: '127.0.0.1' }, () => ready(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = await (await browser.newContext({ viewport: { width: 1366, height: 800 } })).newPage();
  await page.goto(`${base}/sign-in`);
  await page.fill('#email', 'admin@localhost');
  await page.fill('#password', PASSWORD);
  await page.click('form.sign-in button[type=submit]');
  await page.waitForSelector('.shell');

  const view = await k.call('POST', '/api/views', {
    object: 'contact',
    kind: 'list',
    name: { en: 'Customers by name' },
    filter: { lifecycle: { eq: 'customer' } },
    sort: ['last_name'],
    columns: ['last_name', 'first_name', 'email', 'company', 'lifecycle'],
  });
  const VIEW = 'Contacts, saved view "customers by name" (lifecycle = customer, sort last_name)';
  const results: Record<string, number[]> = { 'Contacts (newest first)': [], [VIEW]: [] };
  for (let i = 0; i < RUNS; i++) {
    await page.click('.sidebar a[href="/"]');
    await homeSettled(page);
    results['Contacts (newest first)'].push(await timeTo(page, '.sidebar [data-object=contact]'));
  }
  // The same through a saved view: navigate straight to the list with the view applied.
  for (let i = 0; i < RUNS; i++) {
    await page.click('.sidebar a[href="/"]');
    await homeSettled(page);
    // A link the router handles like any RouterLink (pushState + popstate), not a page load.
    await page.evaluate(`(() => {
      const a = Object.assign(document.createElement('a'), { href: '/o/contact?view=${view.body.id}', id: 'bench-link' });
      a.addEventListener('click', (e) => {
        e.preventDefault();
        history.pushState({}, '', a.href);
        dispatchEvent(new PopStateEvent('popstate'));
      });
      document.body.append(a);
    })()`);
    results[VIEW].push(await timeTo(page, '#bench-link'));
  }
  // Scrolling through the list: each time the table is scrolled to its end, how long until the
  // next keyset page's rows are in it, and how many rows the DOM holds meanwhile (virtual rows).
  await page.click('.sidebar a[href="/"]');
  await homeSettled(page);
  await page.click('.sidebar [data-object=contact]');
  await page.waitForSelector('[data-testid=records] tbody tr[data-index]');
  const SCROLL = 'Contacts (newest first): scrolled to the end, next 50 rows painted';
  results[SCROLL] = [];
  let domRows = 0;
  for (let i = 0; i < RUNS; i++) {
    const r = await page.evaluate<{ ms: number; dom: number }>(`new Promise((done) => {
      const wrap = document.querySelector('.table-wrap');
      const loaded = () => { const rows = document.querySelectorAll('[data-testid=records] tbody tr[data-index]'); return Number(rows[rows.length - 1]?.dataset.index ?? -1); };
      // Rows loaded, from the scroll height (every row is 36 px; the count may still be pending).
      const head = document.querySelector('[data-testid=records] thead').getBoundingClientRect().height;
      const before = Math.round((wrap.scrollHeight - head) / 36);
      const t0 = performance.now();
      const tick = () => {
        wrap.scrollTop = wrap.scrollHeight;
        if (loaded() + 1 > before) {
          requestAnimationFrame(() => done({ ms: performance.now() - t0, dom: document.querySelectorAll('[data-testid=records] tbody tr[data-index]').length }));
        } else setTimeout(tick, 5);
      };
      tick();
    })`);
    results[SCROLL].push(r.ms);
    domRows = Math.max(domRows, r.dom);
  }
  const loadedRows = await page.evaluate<number>(
    `Math.round((document.querySelector('.table-wrap').scrollHeight - document.querySelector('[data-testid=records] thead').getBoundingClientRect().height) / 36)`,
  );
  await browser.close();
  await new Promise((done) => server.close(done));
  await k.close();
  if (db === 'postgres' && !argv.includes('--keep') && !reuse) {
    const admin = postgres(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop schema if exists ${SCHEMA} cascade`).finally(() => admin.end());
  }

  const rows = Object.entries(results).map(([name, xs]) => {
    const s = stats(xs);
    return `| ${name} | ${s.first.toFixed(0)} | ${s.median.toFixed(0)} | ${s.p90.toFixed(0)} | ${s.min.toFixed(0)} | ${s.max.toFixed(0)} |`;
  });
  const section = [
    '',
    `## Studio list: first page visible after navigation (${new Date().toISOString()})`,
    '',
    `- machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB; Node ${process.version}; Debian chromium (headless) via playwright-core; server in the same process as the bench driver; load average at the end ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' / ')} (other work shares the 2 cores).`,
    `- data: ${N.toLocaleString('en')} contacts on ${db === 'pglite' ? 'embedded PGlite' : `PostgreSQL (schema ${SCHEMA})`}, ${seeded ? `seeded ${copy ? 'with bench/seed.ts (COPY)' : 'through POST /api/records/contact/bulk (1,000 per request)'} in ${seeded.toFixed(0)} s` : 'kept from an earlier run (--reuse)'}.`,
    `- measure: from the click on a link (sidebar "Contacts", or a link to the list with a saved view) to the first table row painted (MutationObserver + requestAnimationFrame), ${RUNS} runs each; "first" includes loading the list page's code. The list's total is fetched by a separate request and not waited for.`,
    `- scrolling: the contacts list scrolled to its end ${RUNS} times; each time, from the scroll to the next page's rows painted (the table asks for the next keyset page when two screens from the end, so a person scrolling at reading speed rarely sees it). Loaded at the end: ${loadedRows.toLocaleString('en')} rows; at most ${domRows} rows were in the DOM at once (virtual rows).`,
    '',
    '| navigation | first ms | median ms | p90 ms | min ms | max ms |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows,
    '',
  ].join('\n');
  console.log(section);
  if (!argv.includes('--no-write')) appendFileSync(join(root, 'bench/RESULTS.md'), section);
}

await main();
// Services started by the server (engines, listeners) may keep Node alive after close().
process.exit(0);
