// Workflows shipped in a plugin: installed published and disabled, published anew when an
// upgrade changes them, disabled on uninstall — metadata like a plugin's objects and views.
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { settledRuns } from '../testing/workflows.ts';

const flagVip = (title: string) => ({
  key: 'flag-vip',
  name: 'Flag VIP contacts',
  trigger: { type: 'record.created', object: 'contact', condition: { tags: { has_any: ['vip'] } } },
  start: 'flag',
  steps: [{ id: 'flag', type: 'update_record', config: { values: { title } } }],
});

async function writePlugin(dir: string, version: string, workflows: unknown[]) {
  await mkdir(join(dir, 'vip_flags', 'metadata'), { recursive: true });
  await writeFile(join(dir, 'vip_flags', 'metadata', 'flag.json'), JSON.stringify(workflows[0]));
  await writeFile(
    join(dir, 'vip_flags', 'plugin.json'),
    JSON.stringify({
      name: 'vip_flags',
      version,
      title: { en: 'VIP flags', ja: 'VIPフラグ' },
      kizuna: '*',
      metadata: { workflows: ['metadata/flag.json', ...workflows.slice(1)] },
    }),
  );
}

describe.each(databases)('workflows shipped in a plugin on %s', (kind) => {
  let k: TestKizuna;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kizuna-wf-plugin-'));
    await writePlugin(dir, '1.0.0', [flagVip('VIP')]);
    k = await startKizuna(kind, { pluginDirs: [dir], workflowPollMs: 50 });
  });
  afterAll(async () => {
    await k?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const shipped = async () => (await k.call('GET', '/api/workflows')).body.data.filter((w: { name: string }) => /VIP|Welcome/.test(w.name));

  it('installs them published and disabled, upgrades them to a new version, disables them on uninstall', async () => {
    expect((await k.call('POST', '/api/plugins/vip_flags/install')).status).toBe(201);
    let [wf] = await shipped();
    expect(wf).toMatchObject({ name: 'Flag VIP contacts', enabled: false, active_version: 1 });

    // Runs once an admin enables it.
    expect((await k.call('POST', `/api/workflows/${wf.id}/enable`)).status).toBe(200);
    const c = (await k.call('POST', '/api/records/contact', { last_name: '重要', tags: ['vip'] })).body;
    await settledRuns(k, wf.id, 1);
    expect((await k.call('GET', `/api/records/contact/${c.id}`)).body.title).toBe('VIP');

    // An upgrade that changes it publishes version 2 and keeps it enabled; one that adds a workflow creates it.
    await writePlugin(dir, '1.1.0', [
      flagVip('VIP顧客'),
      { ...flagVip('x'), key: 'welcome', name: 'Welcome new contacts', trigger: { type: 'record.created', object: 'contact' } },
    ]);
    expect((await k.call('POST', '/api/plugins/vip_flags/upgrade')).status).toBe(200);
    const after = await shipped();
    wf = after.find((w: { name: string }) => w.name === 'Flag VIP contacts');
    expect(wf).toMatchObject({ enabled: true, active_version: 2 });
    expect(after.find((w: { name: string }) => w.name === 'Welcome new contacts')).toMatchObject({ enabled: false, active_version: 1 });
    // The same definition again publishes nothing new.
    expect((await k.call('POST', '/api/plugins/vip_flags/upgrade')).status).toBe(200);
    expect((await shipped()).find((w: { name: string }) => w.name === 'Flag VIP contacts').active_version).toBe(2);

    expect((await k.call('POST', '/api/plugins/vip_flags/uninstall')).status).toBe(200);
    expect((await shipped()).every((w: { enabled: boolean }) => !w.enabled)).toBe(true);
  });

  it('refuses a plugin whose workflow is invalid, naming it, and installs nothing', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'kizuna-wf-plugin-bad-'));
    await mkdir(join(bad, 'bad_flow'), { recursive: true });
    await writeFile(
      join(bad, 'bad_flow', 'plugin.json'),
      JSON.stringify({
        name: 'bad_flow',
        version: '1.0.0',
        title: { en: 'Bad', ja: '不正' },
        kizuna: '*',
        metadata: {
          workflows: [
            { key: 'broken', name: 'Broken', trigger: { type: 'record.created', object: 'contact' }, start: 'nowhere', steps: [] },
          ],
        },
      }),
    );
    const other = await startKizuna(kind, { pluginDirs: [bad] });
    try {
      const r = await other.call('POST', '/api/plugins/bad_flow/install');
      expect(r.status).toBe(422);
      expect(r.body.errors[0].field).toMatch(/^metadata\.workflows\.0\./);
      expect(
        (await other.call('GET', '/api/plugins')).body.data?.find?.((p: { name: string; installed?: boolean }) => p.name === 'bad_flow')
          ?.installed ?? false,
      ).toBeFalsy();
      expect((await other.call('GET', '/api/workflows')).body.data).toEqual([]);
    } finally {
      await other.close();
      await rm(bad, { recursive: true, force: true });
    }
  });
});
