// Plugin extension points in the studio: the dedupe plugin's panel appears on a contact once
// the plugin is enabled, finds the duplicate and merges it — and disappears when disabled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, shot, signIn, startStudio, type Studio } from './harness.ts';

describe('plugin extensions in the studio', () => {
  let studio: Studio;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    studio = await startStudio();
    const k = studio.kizuna;
    expect((await k.call('POST', '/api/plugins/dedupe/install')).status).toBe(201);
    ids.master = (await k.call('POST', '/api/records/contact', { last_name: '山田', first_name: '花子', email: 'hanako@example.jp' })).body.id;
    ids.dup = (await k.call('POST', '/api/records/contact', { last_name: 'ﾔﾏﾀﾞ', first_name: 'ﾊﾅｺ', email: ' Hanako@Example.JP ' })).body.id;
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
});
