// The plugins page shows what needs an admin: a plugin whose manifest cannot be read (with its
// errors by path), each plugin's routes with who may call them, and an after-hook that keeps
// failing — retried, then its event skipped — in English and Japanese.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pluginFolderWith } from '../../platform/testing/plugins.ts';
import { ADMIN_PASSWORD, shot, signIn, startStudio, type Studio } from './harness.ts';

describe('plugin faults on the plugins page', () => {
  let studio: Studio;
  let dir: string;
  beforeAll(async () => {
    dir = await pluginFolderWith('hello', 'thrower', 'broken_manifest');
    studio = await startStudio({ pluginDirs: [dir] });
    const k = studio.kizuna;
    for (const p of ['hello', 'thrower']) expect((await k.call('POST', `/api/plugins/${p}/install`)).status).toBe(201);
    await k.call('POST', '/api/records/case', { subject: 'crash after create' });
    await k.call('POST', '/api/records/case', { subject: 'waits behind it' });
  });
  afterAll(async () => {
    await studio?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows the broken manifest, the routes, and a failing after-hook an admin retries and skips', async () => {
    const k = studio.kizuna;
    await expect
      .poll(async () => {
        await k.plugins.drain();
        return (await k.call('GET', '/api/plugins')).body.data.find((p: { name: string }) => p.name === 'thrower').after_hooks?.state;
      })
      .toBe('failing');
    const { page, errors } = await studio.newPage();
    await signIn(page, studio.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
    await page.goto(`${studio.baseUrl}/plugins`);
    const broken = page.locator('[data-broken=broken_manifest]');
    // The manifest's refusal by keyword, not ajv's English ('must have "plural"').
    await broken.getByText('“plural” is required').waitFor();
    await broken.locator('code', { hasText: 'metadata.objects.0' }).first().waitFor();

    const hello = page.locator('[data-plugin=hello]');
    await hello.getByText('Routes (2)').click();
    await hello.getByText('admins only').waitFor();
    await hello.getByText('who may read contact').waitFor();

    const thrower = page.locator('[data-plugin=thrower]');
    await thrower.getByText('After-hooks failing').waitFor();
    await thrower.getByText('boom in afterCreate').waitFor();
    await thrower.getByText('2 events waiting').waitFor();
    await shot(page, 'plugin-faults');
    await thrower.getByRole('button', { name: 'Retry now' }).click();
    await page.getByText('Tried again').waitFor();
    page.once('dialog', (d) => void d.accept());
    await thrower.getByRole('button', { name: 'Skip this event' }).click();
    await thrower.getByText('After-hooks ok').waitFor();
    expect((await studio.kizuna.call('GET', '/api/plugins/thrower/seen')).body).toContain('record.created:waits behind it');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('says the same in Japanese', async () => {
    // The studio speaks the user's saved language.
    await studio.kizuna.call('PATCH', '/api/auth/me', { locale: 'ja' });
    const { page, errors } = await studio.newPage('ja-JP');
    await signIn(page, studio.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
    await page.goto(`${studio.baseUrl}/plugins`);
    await page.getByText('読み込めないプラグイン').waitFor();
    await page.locator('[data-broken=broken_manifest]').getByText('「plural」は必須です').waitFor();
    await page.locator('[data-plugin=thrower]').getByText('後処理フック：正常').waitFor();
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
