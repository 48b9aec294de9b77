import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { databases, startKizuna } from '../testing/kizuna.ts';
import { planExport, readWorkflows, writeExport } from './plugin-export.ts';
import { publishWorkflow, settledRuns } from '../testing/workflows.ts';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');

describe('npx kizuna plugin new', () => {
  const name = `scaffold_${process.pid}`;
  afterAll(() => rm(join(root, 'plugins', name), { recursive: true, force: true }));

  it('scaffolds a plugin whose own generated test passes', async () => {
    const made = await run(process.execPath, [join(root, 'node_modules/.bin/kizuna'), 'plugin', 'new', name], { cwd: root });
    expect(made.stdout).toMatch(/created 4 files/);
    const again = await run(process.execPath, [join(root, 'node_modules/.bin/kizuna'), 'plugin', 'new', name], { cwd: root }).catch(
      (e) => e,
    );
    expect(again.stderr).toMatch(/already exists/);
    // Only PGlite here: the generated test itself runs on both databases when DATABASE_URL is set.
    const env = { ...process.env, DATABASE_URL: '' };
    const test = await run(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', `plugins/${name}`], {
      cwd: root,
      env,
      timeout: 120_000,
    });
    expect(test.stdout).toMatch(/2 passed/);
  }, 150_000);

  it('refuses a bad name', async () => {
    const bad = await run(process.execPath, [join(root, 'node_modules/.bin/kizuna'), 'plugin', 'new', 'Bad-Name'], { cwd: root }).catch(
      (e) => e,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not a plugin name/);
  });
});

describe.each(databases)('plugin export on %s', (kind) => {
  it('writes run-time designs as a plugin that installs unchanged on another Kizuna', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kizuna-export-'));
    const a = await startKizuna(kind);
    const b = await startKizuna(kind);
    try {
      expect(
        (
          await a.call('POST', '/api/meta/objects', {
            name: 'event_booth',
            label: { en: 'Booth', ja: 'ブース' },
            plural: 'event_booths',
            fields: [
              { name: 'title', type: 'text', label: { en: 'Title', ja: '名称' }, required: true },
              {
                name: 'size',
                type: 'select',
                label: { en: 'Size', ja: '広さ' },
                options: [
                  { value: 's', label: { en: 'S', ja: '小' } },
                  { value: 'l', label: { en: 'L', ja: '大' } },
                ],
              },
              { name: 'company', type: 'relation', target: 'company', inverse: 'booths', label: { en: 'Company', ja: '取引先' } },
            ],
          })
        ).status,
      ).toBe(201);
      expect(
        (
          await a.call('POST', '/api/meta/objects/contact/fields', {
            name: 'booth_role',
            type: 'text',
            label: { en: 'Booth role', ja: 'ブース担当' },
          })
        ).status,
      ).toBe(201);
      expect(() => planExport(a.registry.snapshot(), 'expo', ['nope'])).toThrow(/no object named "nope"/);

      await publishWorkflow(a, {
        name: 'Booth welcome',
        trigger: { type: 'record.created', object: 'event_booth' },
        start: 'tag',
        steps: [{ id: 'tag', type: 'update_record', config: { values: { title: '{{trigger.record.title}}（受付済）' } } }],
      });
      await expect(readWorkflows(a.db, ['Nope'])).rejects.toThrow(/no published workflow named "Nope"/);
      const plan = planExport(
        a.registry.snapshot(),
        'expo',
        ['event_booth', 'contact'],
        '1.0.0',
        await readWorkflows(a.db, ['Booth welcome']),
      );
      await writeExport(join(dir, 'expo'), plan);

      const other = await startKizuna(kind, { pluginDirs: [dir], ...(kind === 'postgres' ? { schema: b.schema } : {}) });
      try {
        const r = await other.call('POST', '/api/plugins/expo/install');
        expect(r.status, JSON.stringify(r.body)).toBe(201);
        const def = (await other.call('GET', '/api/meta/objects/event_booth')).body;
        expect(Object.keys(def.properties)).toEqual(expect.arrayContaining(['title', 'size', 'company']));
        expect(def.properties.size.enum).toEqual(['s', 'l', null]);
        expect((await other.call('GET', '/api/meta/objects/contact')).body.properties.booth_role).toBeDefined();
        expect((await other.call('POST', '/api/records/event_booth', { title: '東ホール A-1', size: '大' })).body.size).toBe('l');
        // The workflow came along, published and disabled until an admin enables it. (b only
        // holds the schema on PostgreSQL; its engine, started before the plugin's object
        // existed, must not be the one that takes the run.)
        await b.workflows.stop();
        const [wf] = (await other.call('GET', '/api/workflows')).body.data;
        expect(wf).toMatchObject({ name: 'Booth welcome', enabled: false, active_version: 1 });
        expect((await other.call('POST', `/api/workflows/${wf.id}/enable`)).status).toBe(200);
        const booth = (await other.call('POST', '/api/records/event_booth', { title: '西ホール B-2' })).body;
        const [run] = await settledRuns(other, wf.id, 1);
        expect(run.status, JSON.stringify((await other.call('GET', `/api/workflow-runs/${run.id}`)).body)).toBe('succeeded');
        expect((await other.call('GET', `/api/records/event_booth/${booth.id}`)).body.title).toBe('西ホール B-2（受付済）');
      } finally {
        await other.close();
      }
    } finally {
      await a.close();
      await b.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
