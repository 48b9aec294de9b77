// axe-core on every page of the studio (issue 16, "How it is checked"): each route of the
// router, opened by an admin in English and in Japanese, by a restricted reader in Japanese
// (whose admin pages answer "no access"), and the public pages signed out. The route table is
// checked against studio/src/router.ts, so a new page cannot be left out of the sweep.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { seriousViolations, type Violation } from './a11y.ts';
import { publishWorkflow, WELCOME } from './workflows.ts';
import { ADMIN_PASSWORD, root, signIn, startStudio, type Studio } from './harness.ts';

const NO_UUID = '00000000-0000-4000-8000-000000000000';
const READER_PASSWORD = 'reader-password-123';

describe('axe-core on every page, in chromium', () => {
  let s: Studio;
  const paths: Record<string, string> = {};

  beforeAll(async () => {
    s = await startStudio();
    const k = s.kizuna;
    const welcome = await publishWorkflow(k, WELCOME);
    const company = (await k.call('POST', '/api/records/company', { name: 'Acme 株式会社', industry: 'manufacturing' })).body.id;
    const contact = (
      await k.call('POST', '/api/records/contact', { last_name: '山田', first_name: '太郎', email: 'taro@example.jp', company })
    ).body.id;
    const run = await vi.waitFor(
      async () => {
        const runs = (await k.call('GET', `/api/workflows/${welcome}/runs`)).body.data;
        expect(runs.length).toBeGreaterThan(0);
        return runs[0].id as string;
      },
      { timeout: 30_000, interval: 200 },
    );
    const u = await k.call('POST', '/api/users', {
      email: 'reader@example.jp',
      name: '閲覧 花子',
      locale: 'ja',
      roles: ['viewer'],
      password: READER_PASSWORD,
    });
    expect(u.status, JSON.stringify(u.body)).toBe(201);
    Object.assign(paths, {
      'sign-in': '/sign-in',
      setup: '/setup',
      'set-password': '/set-password?token=not-a-real-token',
      home: '/',
      account: '/account',
      users: '/people/users',
      teams: '/people/teams',
      roles: '/people/roles',
      role: '/people/roles/viewer',
      list: '/o/contact',
      kanban: '/o/contact/board/lifecycle',
      new: '/o/contact/new',
      import: '/o/contact/import',
      'import-run': `/imports/${NO_UUID}`,
      record: `/o/contact/${contact}`,
      designer: '/designer',
      'object-designer': '/designer/contact',
      plugins: '/plugins',
      workflows: '/workflows',
      'workflow-run': `/workflows/runs/${run}`,
      workflow: `/workflows/${welcome}`,
      forbidden: '/forbidden',
      'not-found': '/no/such/page',
    });
  });
  afterAll(() => s?.close());

  const PUBLIC = ['sign-in', 'setup', 'set-password'];

  it('has a path for every route of the router', () => {
    const router = readFileSync(join(root, 'studio/src/router.ts'), 'utf8');
    const names = [...router.matchAll(/\bname: '([\w-]+)'/g)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(15);
    expect(Object.keys(paths).sort()).toEqual([...new Set(names)].sort());
  });

  /** Every page of `names`, each settled (no request in flight) before axe looks at it. */
  async function sweep(page: Page, names: string[]): Promise<Record<string, Violation[]>> {
    const found: Record<string, Violation[]> = {};
    for (const name of names) {
      await page.goto(`${s.baseUrl}${paths[name]}`);
      await page.waitForLoadState('networkidle');
      await page.locator('main, .shell, form').first().waitFor();
      const violations = await seriousViolations(page);
      if (violations.length) found[`${name} ${paths[name]}`] = violations;
    }
    return found;
  }

  const signedIn = () => Object.keys(paths).filter((n) => !PUBLIC.includes(n));

  it('finds no serious violation on any page for an admin, in English and in Japanese', async () => {
    const { page, errors } = await s.newPage();
    await signIn(page, s.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
    expect(await sweep(page, signedIn())).toEqual({});
    await page.locator('.locale-switch [data-locale=ja]').first().click();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('ja');
    expect(await sweep(page, signedIn())).toEqual({});
    await page.locator('.locale-switch [data-locale=en]').first().click();
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('finds none for a restricted reader in Japanese, whose admin pages say "no access"', async () => {
    const { page, errors } = await s.newPage('ja-JP');
    await signIn(page, s.baseUrl, 'reader@example.jp', READER_PASSWORD);
    expect(await sweep(page, signedIn())).toEqual({});
    await page.goto(`${s.baseUrl}/designer`);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/forbidden');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('finds none on the public pages, signed out, in both languages', async () => {
    for (const locale of ['en-US', 'ja-JP']) {
      const { page, errors } = await s.newPage(locale);
      expect(await sweep(page, PUBLIC)).toEqual({});
      expect(errors).toEqual([]);
      await page.context().close();
    }
  });
});
