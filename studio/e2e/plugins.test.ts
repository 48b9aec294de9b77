// Plugin extension points in the studio: the dedupe plugin's panel appears on a contact once
// the plugin is enabled, finds the duplicate, merges it and undoes the merge — and disappears
// when disabled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, shot, signIn, startStudio, type Studio } from './harness.ts';

describe('plugin extensions in the studio', () => {
  let studio: Studio;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    studio = await startStudio();
    const k = studio.kizuna;
    expect((await k.call('POST', '/api/plugins/dedupe/install')).status).toBe(201);
    ids.master = (
      await k.call('POST', '/api/records/contact', { last_name: '山田', first_name: '花子', email: 'hanako@example.jp' })
    ).body.id;
    ids.dup = (
      await k.call('POST', '/api/records/contact', { last_name: 'ﾔﾏﾀﾞ', first_name: 'ﾊﾅｺ', email: ' Hanako@Example.JP ' })
    ).body.id;
    ids.case = (await k.call('POST', '/api/records/case', { subject: '請求書の件', contact: ids.dup })).body.id;
  });
  afterAll(() => studio?.close());

  it('shows possible duplicates on the detail page and merges them', async () => {
    const { page, errors } = await studio.newPage();
    await signIn(page, studio.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
    await page.goto(`${studio.baseUrl}/o/contact/${ids.master}`);
    const panel = page.getByTestId('dedupe-panel');
    await panel.waitFor();
    await panel.locator('li').first().waitFor();
    expect(await panel.locator('li').count()).toBe(1);
    // Named as people read it, and how sure the plugin is: same person in kana with the same email.
    await panel.getByRole('link', { name: 'ﾔﾏﾀﾞ ﾊﾅｺ' }).waitFor();
    await panel.locator('[data-level=likely]').getByText('Likely').waitFor();
    await panel.scrollIntoViewIfNeeded();
    await shot(page, 'dedupe-panel');
    await panel.locator('input[type=checkbox]').check();
    await panel.getByRole('button', { name: /Merge 1/ }).click();
    await panel.getByRole('status').waitFor();
    const k = studio.kizuna;
    expect((await k.call('GET', `/api/records/contact/${ids.dup}`)).status).toBe(404);
    expect((await k.call('GET', `/api/records/case/${ids.case}`)).body.contact).toBe(ids.master);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('offers "Undo merge" with the days left on the merged record, and undoing brings the duplicate and its case back', async () => {
    const { page, errors } = await studio.newPage();
    await signIn(page, studio.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
    await page.goto(`${studio.baseUrl}/o/contact/${ids.master}`);
    const merged = page.getByTestId('dedupe-merges');
    await merged.getByText('ﾔﾏﾀﾞ · ﾊﾅｺ').waitFor();
    await merged.getByText('30 days left to undo').waitFor();
    await merged.scrollIntoViewIfNeeded();
    await shot(page, 'dedupe-undo');
    // In Japanese too.
    await page.locator('.locale-switch').getByRole('button', { name: '日本語' }).click();
    await merged.getByText('取り消し期限まで残り 30 日').waitFor();
    await merged.getByRole('button', { name: '統合を取り消す' }).waitFor();
    await page.locator('.locale-switch').getByRole('button', { name: 'English' }).click();
    await merged.getByRole('button', { name: 'Undo merge' }).click();
    await page.getByTestId('dedupe-panel').getByRole('status').getByText('Merge undone.').waitFor();
    const k = studio.kizuna;
    expect((await k.call('GET', `/api/records/contact/${ids.dup}`)).status).toBe(200);
    expect((await k.call('GET', `/api/records/case/${ids.case}`)).body.contact).toBe(ids.dup);
    // The page shows the record anew: its timeline tells of the undo, and the duplicate is a candidate again.
    await page
      .getByTestId('timeline')
      .getByText(/Merge .* undone: 1 record split off again/)
      .waitFor();
    await page.getByTestId('dedupe-panel').getByRole('link', { name: 'ﾔﾏﾀﾞ ﾊﾅｺ' }).waitFor();
    expect(await merged.count()).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('hides the panel when the plugin is disabled', async () => {
    expect((await studio.kizuna.call('POST', '/api/plugins/dedupe/disable')).status).toBe(204);
    const { page } = await studio.newPage();
    await signIn(page, studio.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
    await page.goto(`${studio.baseUrl}/o/contact/${ids.master}`);
    await page.locator('.shell').waitFor();
    await page.waitForTimeout(500);
    expect(await page.getByTestId('dedupe-panel').count()).toBe(0);
    await page.context().close();
  });

  it('installs, sets up, enables and disables plugins on the plugins page', async () => {
    const { page, errors } = await studio.newPage();
    await signIn(page, studio.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
    await page.locator('.sidebar').getByRole('link', { name: 'Plugins' }).click();
    const hello = page.locator('[data-plugin=hello]');
    await hello.getByText('Not installed').waitFor();
    await hello.getByRole('button', { name: 'Install' }).click();
    await hello.getByText('Enabled', { exact: true }).waitFor();
    expect((await studio.kizuna.call('GET', '/api/plugins')).body.data.find((p: { name: string }) => p.name === 'hello')).toMatchObject({
      installed_version: '1.0.0',
      enabled: true,
    });

    // Settings are a form from the plugin's own schema, checked before they are sent.
    await hello.getByRole('button', { name: 'Settings' }).click();
    const word = hello.getByLabel('Greeting word');
    await word.fill('far too long a greeting word');
    await hello.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => hello.locator('.field-error').textContent()).toMatch(/at most 20 characters/);
    await word.fill('Konnichiwa');
    await hello.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await studio.kizuna.call('GET', '/api/plugins/hello/settings')).body).toEqual({ word: 'Konnichiwa' });
    await shot(page, 'plugins');

    // Enabling the dedupe plugin here brings its panel back at once; disabling takes it away,
    // both without reloading the studio.
    const dedupe = page.locator('[data-plugin=dedupe]');
    await dedupe.getByRole('button', { name: 'Enable' }).click();
    await dedupe.getByText('Enabled', { exact: true }).waitFor();
    await page.locator('.sidebar [data-object=contact]').click();
    await page.locator('[data-testid=records] tbody tr[data-index]').first().click();
    await page.getByTestId('dedupe-panel').waitFor();
    await page.locator('.sidebar').getByRole('link', { name: 'Plugins' }).click();
    await dedupe.getByRole('button', { name: 'Disable' }).click();
    await dedupe.getByText('Disabled', { exact: true }).waitFor();
    await page.goBack();
    await page.getByTestId('record-title').waitFor();
    await page.waitForTimeout(300);
    expect(await page.getByTestId('dedupe-panel').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
