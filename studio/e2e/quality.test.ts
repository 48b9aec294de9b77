// Product quality in chromium: no serious or critical axe-core violation on the main screens
// (English and Japanese), keyboard paths (kanban "Move to", dialogs that trap and return
// focus, rows by arrow keys), laptop screens (1280×720, 1366×768) without sideways scrolling,
// and a long list that stays light (virtual rows, keyset pages on scroll) without layout shift.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './a11y.ts';
import { ADMIN_PASSWORD, root, shot, signIn, startStudio, type Studio } from './harness.ts';

describe('studio quality in chromium', () => {
  let s: Studio;
  let page: Page;
  let errors: string[];
  let acme: string;
  let contact: string;
  const N = 640;

  beforeAll(async () => {
    s = await startStudio();
    acme = (await s.kizuna.call('POST', '/api/records/company', { name: 'Acme 株式会社', industry: 'manufacturing' })).body.id;
    const lifecycles = ['lead', 'prospect', 'customer'];
    for (let i = 0; i < N; i += 200) {
      const records = Array.from({ length: Math.min(200, N - i) }, (_, j) => ({
        last_name: `山田${String(i + j).padStart(4, '0')}`,
        first_name: '太郎',
        email: `p${i + j}@example.jp`,
        lifecycle: lifecycles[(i + j) % 3],
        company: (i + j) % 10 ? null : acme,
      }));
      expect((await s.kizuna.call('POST', '/api/records/contact/bulk', { records })).status).toBe(200);
    }
    contact = (await s.kizuna.call('GET', '/api/records/contact?limit=1')).body.data[0].id;
    await s.kizuna.call('POST', '/api/records/case', { subject: 'プリンターが動かない', company: acme, status: 'open', priority: 'high' });
    await s.kizuna.call('POST', '/api/records/case', { subject: 'Invoice question', company: acme, status: 'open' });
    ({ page, errors } = await s.newPage());
  });
  afterAll(() => s?.close());

  // Every screen is checked before the test fails, so one run reports them all.
  let found: Record<string, unknown> = {};
  const expectNoViolations = async (screen: string) => {
    const v = await seriousViolations(page);
    if (v.length) found[screen] = v;
  };
  const report = () => {
    const all = found;
    found = {};
    expect(all, JSON.stringify(all, null, 1)).toEqual({});
  };

  it('has no serious accessibility violations on the sign-in page', async () => {
    await page.goto(`${s.baseUrl}/sign-in`);
    await page.locator('#email').waitFor();
    await expectNoViolations('sign-in');
    report();
    await signIn(page, s.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
  });

  for (const locale of ['en', 'ja'] as const) {
    it(`has no serious accessibility violations on the main screens (${locale})`, async () => {
      await s.kizuna.call('PATCH', '/api/auth/me', { locale });
      await page.goto(`${s.baseUrl}/`);
      await page.locator('.object-card').first().waitFor();
      await expectNoViolations('home');
      await page.goto(`${s.baseUrl}/o/contact`);
      await page.locator('[data-testid=records] tbody tr[data-index]').first().waitFor();
      await expectNoViolations('list');
      await page.locator('.toolbar button[aria-expanded]').first().click();
      await page.locator('.panel').waitFor();
      await expectNoViolations('list with the filter panel');
      await page.goto(`${s.baseUrl}/o/case/board/status`);
      await page.locator('.board-card').first().waitFor();
      await expectNoViolations('kanban');
      await page.goto(`${s.baseUrl}/o/company/${acme}`);
      await page.locator('[data-related=contacts] li').first().waitFor();
      await expectNoViolations('detail');
      await page.goto(`${s.baseUrl}/o/contact/new`);
      await page.locator('#f-last_name').waitFor();
      await page.locator('.record-form button[type=submit]').click();
      await page.locator('.field-error').first().waitFor();
      await expectNoViolations('form with errors');
      await page.goto(`${s.baseUrl}/designer`);
      await page.locator('.object-card, .designer').first().waitFor();
      await expectNoViolations('designer');
      await page.goto(`${s.baseUrl}/designer/contact`);
      await page.locator('tr[data-field=last_name]').waitFor();
      await expectNoViolations('object designer');
      await page.locator('.page-header').getByRole('button', { name: /\+/ }).click();
      await page.locator('.dialog').waitFor();
      await expectNoViolations('field editor dialog');
      await page.keyboard.press('Escape');
      report();
    });
  }

  it('moves a kanban card with the keyboard ("Move to"), without dragging', async () => {
    await s.kizuna.call('PATCH', '/api/auth/me', { locale: 'en' });
    await page.goto(`${s.baseUrl}/o/case/board/status`);
    const card = page.locator('.board-card', { hasText: 'Invoice question' });
    await card.waitFor();
    const id = await card.getAttribute('data-id');
    const move = card.getByRole('combobox', { name: /Move to/ });
    await move.focus();
    // Keyboard only: the select takes arrow keys while closed and commits each choice.
    await page.keyboard.press('ArrowDown');
    await page.locator('.board-column[data-column=in_progress] .board-card', { hasText: 'Invoice question' }).waitFor();
    await expect.poll(async () => (await s.kizuna.call('GET', `/api/records/case/${id}`)).body.status).toBe('in_progress');
  });

  it('pages a big kanban column: 50 cards, its total, and the next 50 on "Load more"', async () => {
    await page.goto(`${s.baseUrl}/o/contact/board/lifecycle`);
    const lead = page.locator('.board-column[data-column=lead]');
    await expect.poll(() => lead.locator('.board-card').count()).toBe(50);
    const total = Math.ceil(N / 3);
    await expect.poll(() => lead.locator('h2 .muted').textContent()).toBe(String(total));
    await lead.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => lead.locator('.board-card').count()).toBe(100);
    expect(new Set(await lead.locator('.board-card').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')))).size).toBe(100);
  });

  it('traps focus in a dialog, closes it with Escape and returns focus to its opener', async () => {
    await page.goto(`${s.baseUrl}/o/contact`);
    await page.locator('[data-testid=records] tbody tr[data-index]').first().waitFor();
    const opener = page.getByRole('button', { name: 'Save view' });
    await opener.focus();
    await page.keyboard.press('Enter');
    await page.locator('.dialog').waitFor();
    expect(await page.evaluate('document.activeElement.id')).toBe('view-name');
    const inside = () => page.evaluate<boolean>(`!!document.activeElement.closest('.dialog')`);
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      expect(await inside()).toBe(true);
    }
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Shift+Tab');
      expect(await inside()).toBe(true);
    }
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('.dialog').count()).toBe(0);
    await expect.poll(() => page.evaluate<string>('document.activeElement.textContent.trim()')).toBe('Save view');
    // Visible focus: a keyboard-focused control is outlined.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Shift+Tab');
    const outline = await page.evaluate<string>(
      `(() => { const c = getComputedStyle(document.activeElement); return c.outlineStyle + ' ' + c.outlineWidth; })()`,
    );
    expect(outline).toBe('solid 2px');
  });

  it('reaches and opens records from the keyboard: arrows move between rows, Enter opens', async () => {
    await page.locator('[data-testid=records] tbody tr[data-index="0"]').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate('document.activeElement.dataset.index')).toBe('2');
    const name = await page.locator('[data-testid=records] tbody tr[data-index="2"] td[data-column=last_name]').textContent();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('record-title').textContent()).toContain(name!);
    // Inline editing without a mouse: the pencil button beside a value.
    await page.getByRole('button', { name: 'Edit: Title' }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.type('課長');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('[data-field=title] dd').textContent()).toContain('課長');
  });

  it('keeps a long list light: virtual rows, the next keyset page on scroll, no layout shift', async () => {
    await page.goto(`${s.baseUrl}/`);
    await page.locator('.object-card').first().waitFor();
    await page.evaluate(`(() => {
      window.__cls = 0;
      new PerformanceObserver((l) => { for (const e of l.getEntries()) if (!e.hadRecentInput) window.__cls += e.value; }).observe({ type: 'layout-shift', buffered: false });
    })()`);
    await page.locator('.sidebar [data-object=contact]').click();
    await page.locator('[data-testid=records] tbody tr[data-index]').first().waitFor();
    await expect.poll(() => page.getByTestId('count').textContent()).toBe(`50 of ${N}`);
    await page.waitForTimeout(300);
    expect(await page.evaluate<number>('window.__cls')).toBeLessThan(0.02);
    const height = await page.locator('[data-testid=records] tbody tr[data-index="0"]').evaluate((tr) => tr.getBoundingClientRect().height);
    expect(height).toBe(36); // the row height RecordsTable's window arithmetic assumes

    // Scroll to the end again and again: pages arrive, the DOM keeps only the rows in view.
    const wrap = page.locator('.table-wrap');
    for (let i = 0; i < 40 && (await page.getByTestId('count').textContent()) !== `${N} of ${N}`; i++) {
      await wrap.evaluate((el) => el.scrollTo(0, el.scrollHeight));
      await page.waitForTimeout(120);
    }
    await expect.poll(() => page.getByTestId('count').textContent()).toBe(`${N} of ${N}`);
    expect(await page.locator('[data-testid=records] tbody tr[data-index]').count()).toBeLessThan(60);
    await wrap.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    const last = page.locator(`[data-testid=records] tbody tr[data-index="${N - 1}"]`);
    await last.waitFor();
    expect(await last.getAttribute('aria-rowindex')).toBe(String(N + 1));
    expect(await page.locator('[data-testid=records]').getAttribute('aria-rowcount')).toBe(String(N + 1));
    // The oldest contact is last in the default newest-first order.
    expect(await last.locator('td[data-column=last_name]').textContent()).toBe('山田0000');
    await shot(page, 'list-scrolled');
  });

  for (const [width, height] of [
    [1280, 720],
    [1366, 768],
  ] as const) {
    it(`fits a ${width}×${height} laptop screen without sideways scrolling`, async () => {
      await page.setViewportSize({ width, height });
      const paths = ['/', '/o/contact', `/o/contact/${contact}`, '/o/contact/new', '/o/case/board/status', '/designer/contact'];
      for (const path of paths) {
        await page.goto(`${s.baseUrl}${path}`);
        await page.locator('.content h1').first().waitFor();
        await page.waitForTimeout(150);
        const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
        expect(overflow, `${path} at ${width}×${height}`).toBeLessThanOrEqual(0);
        // The page's main actions are on screen, not pushed off it.
        const header = await page.locator('.content .page-header, .content h1').first().boundingBox();
        expect(header && header.x + header.width <= width).toBe(true);
      }
      await page.goto(`${s.baseUrl}/o/contact`);
      await page.locator('[data-testid=records] tbody tr[data-index]').first().waitFor();
      await shot(page, `list-${width}x${height}`);
    });
  }

  it('keeps the initial JavaScript under 250 KB gzip, and ajv out of it (pages and checks are their own chunks)', async () => {
    const dist = join(root, 'studio/dist');
    const html = await readFile(join(dist, 'index.html'), 'utf8');
    const initial = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
    expect(initial.length).toBeGreaterThan(0);
    let gz = 0;
    for (const f of initial) {
      const code = await readFile(join(dist, f));
      gz += gzipSync(code).length;
      expect(code.toString('utf8')).not.toContain('strictRequired'); // an ajv option name: ajv is not in the first load
    }
    expect(gz).toBeLessThan(250 * 1024);
  });

  it('raised no errors in the page', () => {
    expect(errors).toEqual([]);
  });
});
