// Plugin settings as a form (issue 16, item 13) in chromium: the dedupe plugin's settings drawn
// from its manifest's schema ({ en, ja } labels, descriptions, defaults), an invalid value
// refused in the browser naming the setting, the server's own 422 naming it too, and valid
// values saved and read back — in English and in Japanese; people who are not admins get no
// plugin list.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './a11y.ts';
import { ADMIN_PASSWORD, shot, signIn, startStudio, type Studio } from './harness.ts';

describe('plugin settings form in chromium', () => {
  let s: Studio;
  beforeAll(async () => {
    s = await startStudio();
    expect((await s.kizuna.call('POST', '/api/plugins/dedupe/install')).status).toBe(201);
  });
  afterAll(() => s?.close());

  const settingsOf = async () => (await s.kizuna.call('GET', '/api/plugins/dedupe/settings')).body;
  async function openSettings(page: Page) {
    await page.goto(`${s.baseUrl}/plugins`);
    const dedupe = page.locator('[data-plugin=dedupe]');
    await dedupe.getByRole('button', { name: /Settings|設定/ }).click();
    await dedupe.locator('.plugin-settings .wf-form').waitFor();
    return dedupe;
  }

  it('serves the settings schema the form is drawn from', async () => {
    const listed = (await s.kizuna.call('GET', '/api/plugins')).body.data.find((p: { name: string }) => p.name === 'dedupe');
    expect(listed.settings_schema.properties.unmerge_days).toMatchObject({ type: 'integer', maximum: 3650, default: 30 });
    expect(listed.settings_schema.properties.unmerge_days['x-kizuna'].label).toEqual({
      en: 'Days a merge can be undone',
      ja: '統合を取り消せる日数',
    });
  });

  it('refuses an invalid value naming the setting, saves valid ones and reads them back', async () => {
    const { page, errors } = await s.newPage();
    await signIn(page, s.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
    let dedupe = await openSettings(page);
    const days = dedupe.getByLabel('Days a merge can be undone');
    expect(await dedupe.locator('[data-setting=unmerge_days]').textContent()).toContain('Default: 30');
    await days.fill('5000');
    await dedupe.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => dedupe.getByTestId('settings-errors').textContent()).toMatch(/Check the settings: Days a merge can be undone/);
    expect(await dedupe.locator('[data-setting=unmerge_days] .field-error').textContent()).toMatch(/at most 3650/);
    await dedupe.getByLabel('Default phone region').fill('us');
    await dedupe.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => dedupe.getByTestId('settings-errors').textContent()).toMatch(/Default phone region/);
    expect(await settingsOf()).toEqual({});
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'plugin-settings-invalid');

    // The server checks too, naming the setting (problem+json).
    const refused = await s.kizuna.call('PUT', '/api/plugins/dedupe/settings', { unmerge_days: 5000 });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'unmerge_days' })]);

    await days.fill('60');
    await dedupe.getByLabel('Default phone region').fill('US');
    await dedupe.getByRole('button', { name: 'Save' }).click();
    await expect.poll(settingsOf).toEqual({ unmerge_days: 60, default_region: 'US' });
    expect(await dedupe.getByTestId('settings-errors').count()).toBe(0);
    // Read back: a fresh page shows the saved values.
    dedupe = await openSettings(page);
    expect(await dedupe.getByLabel('Days a merge can be undone').inputValue()).toBe('60');
    expect(await dedupe.getByLabel('Default phone region').inputValue()).toBe('US');
    await shot(page, 'plugin-settings');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("leaves the plugin's hidden bookkeeping fields out of default layouts, and lets an admin add one", async () => {
    const meta = (await s.kizuna.call('GET', '/api/meta/objects/contact')).body;
    expect(meta.properties.dedupe_matches['x-kizuna'].hidden).toBe(true);
    const id = (await s.kizuna.call('POST', '/api/records/contact', { last_name: '隠田', first_name: '一郎' })).body.id;
    const { page, errors } = await s.newPage();
    await signIn(page, s.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
    await page.goto(`${s.baseUrl}/o/contact/${id}`);
    await page.locator('[data-field=last_name]').first().waitFor();
    for (const name of ['dedupe_matches', 'dedupe_merged_from', 'dedupe_keys'])
      expect(await page.locator(`[data-field=${name}]`).count(), name).toBe(0);
    await page.goto(`${s.baseUrl}/o/contact/new`);
    await page.locator('[data-field=last_name]').first().waitFor();
    for (const name of ['dedupe_matches', 'dedupe_merged_from']) expect(await page.locator(`[data-field=${name}]`).count(), name).toBe(0);
    // Not a default column, but an admin may still show it.
    await page.goto(`${s.baseUrl}/o/contact`);
    await page.locator('[data-testid=records] thead').waitFor();
    expect(await page.locator('[data-testid=records] thead').textContent()).not.toContain('Possible duplicates');
    await page.getByRole('button', { name: 'Columns' }).click();
    await page.getByTestId('column-chooser').getByLabel('Possible duplicates').check();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('[data-testid=records] thead').textContent()).toContain('Possible duplicates');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('speaks Japanese, and is for admins only', async () => {
    const viewer = await s.kizuna.call('POST', '/api/users', {
      email: 'viewer@example.jp',
      name: '閲覧者',
      roles: ['viewer'],
      password: 'viewer-password-123',
    });
    expect(viewer.status, JSON.stringify(viewer.body)).toBe(201);
    const { page, errors } = await s.newPage('ja-JP');
    await signIn(page, s.baseUrl, 'viewer@example.jp', 'viewer-password-123');
    expect(
      await page
        .locator('.sidebar')
        .getByRole('link', { name: /Plugins|プラグイン/ })
        .count(),
    ).toBe(0);
    await page.context().close();

    await s.kizuna.call('PATCH', '/api/auth/me', { locale: 'ja' });
    const ja = await s.newPage('ja-JP');
    await signIn(ja.page, s.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
    const dedupe = await openSettings(ja.page);
    const days = dedupe.getByLabel('統合を取り消せる日数');
    expect(await days.inputValue()).toBe('60');
    expect(await dedupe.locator('[data-setting=unmerge_days]').textContent()).toContain('既定値：30');
    await days.fill('-1');
    await dedupe.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => dedupe.getByTestId('settings-errors').textContent()).toMatch(/設定を確認してください：統合を取り消せる日数/);
    expect(await seriousViolations(ja.page)).toEqual([]);
    await shot(ja.page, 'plugin-settings-ja');
    await days.fill('7');
    await dedupe.getByRole('button', { name: '保存' }).click();
    await expect.poll(settingsOf).toEqual({ unmerge_days: 7, default_region: 'US' });
    expect(ja.errors).toEqual([]);
  });
});
