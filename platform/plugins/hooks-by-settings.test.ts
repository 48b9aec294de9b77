// Hooks given as a function of the plugin's settings: only the objects the settings name are
// hooked (the others keep the set-based import path), before- and after-hooks alike, and a
// settings change re-hooks at once; settings the function cannot take are refused.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { pluginFolderWith } from '../testing/plugins.ts';

describe.each(databases)('hooks by settings on %s', (kind) => {
  let k: TestKizuna;
  let dir: string;
  beforeAll(async () => {
    dir = await pluginFolderWith('by_settings');
    k = await startKizuna(kind, { pluginDirs: [dir] });
    expect((await k.call('POST', '/api/plugins/by_settings/install')).status).toBe(201);
  });
  afterAll(async () => {
    await k?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const setObjects = async (objects: string[]) =>
    expect((await k.call('PUT', '/api/plugins/by_settings/settings', { objects })).status).toBe(200);
  const refused = async (object: string, values: Record<string, unknown>) =>
    (await k.call('POST', `/api/records/${object}`, values)).status === 409;
  // Import batches of an object with before-hooks go row by row (and one at a time).
  const setBased = (object: string) => k.records.importBatchesIndependent(object, { actor: null });

  it('hooks only the objects its settings name, and follows a settings change at once', async () => {
    expect(await refused('contact', { last_name: 'refuse me' })).toBe(false);
    expect(setBased('contact')).toBe(true);

    await setObjects(['case']);
    expect(await refused('case', { subject: 'refuse me' })).toBe(true);
    expect(await refused('contact', { last_name: 'refuse me' })).toBe(false);
    expect(setBased('contact')).toBe(true);

    await setObjects(['contact']);
    expect(await refused('contact', { last_name: 'refuse me' })).toBe(true);
    expect(await refused('case', { subject: 'refuse me' })).toBe(false);
    expect(setBased('contact')).toBe(false);
  });

  it('asks the hooks function once per settings, not per write', async () => {
    await setObjects(['contact']);
    const before = (await k.call('GET', '/api/plugins/by_settings/asked')).body;
    for (const last_name of ['一', '二', '三']) expect((await k.call('POST', '/api/records/contact', { last_name })).status).toBe(201);
    expect((await k.call('GET', '/api/plugins/by_settings/asked')).body).toBe(before);
  });

  it('delivers after-hooks for the objects its settings name only', async () => {
    await setObjects(['case']);
    const kase = (await k.call('POST', '/api/records/case', { subject: '請求書' })).body.id;
    const contact = (await k.call('POST', '/api/records/contact', { last_name: '佐藤' })).body.id;
    // On a shared PostgreSQL another test's open transaction can hold delivery back a moment.
    const seen = async (): Promise<string[]> => {
      await k.plugins.drain();
      return (await k.call('GET', '/api/plugins/by_settings/seen')).body;
    };
    await expect.poll(seen, { timeout: 15_000 }).toContain(`case:${kase}`);
    // The contact was written before the case: delivered by now if it ever would be.
    expect(await seen()).not.toContain(`contact:${contact}`);
    const state = (await k.call('GET', '/api/plugins')).body.data.find((p: { name: string }) => p.name === 'by_settings').after_hooks;
    expect(state).toMatchObject({ state: 'ok', backlog: 0 });
  });

  it('refuses settings its hooks function cannot take (422), keeping the plugin running on the old ones', async () => {
    await setObjects(['contact']);
    const r = await k.call('PUT', '/api/plugins/by_settings/settings', { objects: ['explode'] });
    expect(r.status).toBe(422);
    expect(r.body.errors[0].message).toMatch(/cannot hook "explode"/);
    expect((await k.call('GET', '/api/plugins/by_settings/settings')).body).toEqual({ objects: ['contact'] });
    expect(await refused('contact', { last_name: 'refuse me' })).toBe(true);
    expect((await k.call('GET', '/api/plugins')).body.data.find((p: { name: string }) => p.name === 'by_settings').unavailable).toBeNull();
  });
});
