// Readable history in chromium (issue 16, items 4 and 5): the timeline names a relation change by
// its targets' display values and user changes by people's names — for a restricted user too,
// who sees "no access" for companies they may not read and never their names — and a contact
// is named "First Last" in English and family name first in Japanese.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { seriousViolations } from './a11y.ts';
import { publishWorkflow, WELCOME } from './workflows.ts';
import { ADMIN_PASSWORD, shot, signIn, startStudio, type Studio } from './harness.ts';

const READER_PASSWORD = 'reader-password-123';

describe('names, not ids, in chromium', () => {
  let s: Studio;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    s = await startStudio();
    const k = s.kizuna;
    const role = {
      name: 'contact_reader',
      label: { en: 'Contact reader', ja: '取引先責任者の閲覧' },
      objects: { contact: { read: 'all' } },
    };
    expect((await k.call('POST', '/api/roles', role)).status).toBe(201);
    const reader = await k.call('POST', '/api/users', {
      email: 'hanako@example.jp',
      name: '山田 花子',
      locale: 'ja',
      roles: ['contact_reader'],
    });
    expect(reader.status).toBe(201);
    ids.reader = reader.body.id;
    expect((await k.call('PATCH', `/api/users/${ids.reader}`, { password: READER_PASSWORD })).status).toBe(200);
    ids.acme = (await k.call('POST', '/api/records/company', { name: 'Acme 株式会社' })).body.id;
    ids.sample = (await k.call('POST', '/api/records/company', { name: 'サンプル商事' })).body.id;
    // A workflow that writes to every new contact: its changes are an automation's.
    await publishWorkflow(k, WELCOME);
    const me = (await k.call('GET', '/api/auth/me')).body.user.id as string;
    const c = await k.call('POST', '/api/records/contact', { last_name: 'Tanaka', first_name: 'Yuki', company: ids.acme, owner: me });
    expect(c.status).toBe(201);
    ids.contact = c.body.id;
    // Hooks may not use expect.poll: vi.waitFor retries the same way, without a bare sleep.
    await vi.waitFor(async () => expect((await k.call('GET', `/api/records/contact/${ids.contact}`)).body.title).toBe('New contact'), {
      timeout: 30_000,
      interval: 200,
    });
    const u = await k.call('PATCH', `/api/records/contact/${ids.contact}`, { company: ids.sample, owner: ids.reader });
    expect(u.status).toBe(200);
  });
  afterAll(() => s?.close());

  const timelineText = (page: Page) => page.getByTestId('timeline').textContent();

  it('shows an admin the change by company and person names, and the contact as "First Last" (en)', async () => {
    const { page, errors } = await s.newPage('en-US');
    await signIn(page, s.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
    await page.goto(`${s.baseUrl}/o/contact/${ids.contact}`);
    await expect.poll(() => page.getByTestId('record-title').textContent()).toBe('Yuki Tanaka');
    await expect.poll(() => timelineText(page)).toContain('Company: Acme 株式会社 → サンプル商事');
    const text = await timelineText(page);
    expect(text).toContain('Owner: Administrator → 山田 花子');
    expect(text).toContain('Administrator changed');
    expect(text).toContain('Workflow: Welcome (automation) changed Title');
    expect(text).not.toMatch(/[0-9a-f]{8}…/);
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'timeline-names-en');
    // A kanban card names the contact the same way.
    await page.goto(`${s.baseUrl}/o/contact/board/lifecycle`);
    await page.locator('.board-card .card-title-link', { hasText: 'Yuki Tanaka' }).waitFor();
    expect(errors).toEqual([]);
  });

  it('shows a restricted reader people by name and unreadable companies as "no access", family name first (ja)', async () => {
    const { page, errors } = await s.newPage('ja-JP');
    await signIn(page, s.baseUrl, 'hanako@example.jp', READER_PASSWORD);
    await page.goto(`${s.baseUrl}/o/contact/${ids.contact}`);
    await expect.poll(() => page.getByTestId('record-title').textContent()).toBe('Tanaka Yuki');
    await expect.poll(() => timelineText(page)).toContain('取引先: アクセス権なし → アクセス権なし');
    const text = await timelineText(page);
    expect(text).toContain('所有者: Administrator → 山田 花子');
    expect(text).toContain('Administrator が');
    expect(text).toContain('Workflow: Welcome（自動化） が 役職 を変更しました');
    expect(text).not.toContain('Acme');
    expect(text).not.toContain('サンプル商事');
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'timeline-names-ja');
    // The list with its company column: "no access" in the cell, not a refused list.
    await page.goto(`${s.baseUrl}/o/contact`);
    const row = page.locator('[data-testid=records] tbody tr', { hasText: 'Tanaka' });
    await expect.poll(() => row.textContent()).toContain('アクセス権なし');
    expect(errors).toEqual([]);
  });
});
