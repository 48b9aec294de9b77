// Plugins that are broken or keep failing, as an admin meets them: a manifest's validation
// errors, a symbolic link leaving the plugin folder, and an after-hook that keeps failing
// (its state, last error and backlog, then retried or skipped).
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { pluginFolderWith } from '../testing/plugins.ts';

describe.each(databases)('broken and failing plugins on %s', (kind) => {
  let k: TestKizuna;
  let dir: string;
  let outside: string;
  beforeAll(async () => {
    dir = await pluginFolderWith('broken_manifest', 'escaping_link', 'thrower', 'hello');
    outside = await mkdtemp(join(tmpdir(), 'kizuna-outside-'));
    await writeFile(
      join(outside, 'thing.json'),
      JSON.stringify({ name: 'thing', label: { en: 'Thing', ja: '物' }, plural: 'things', fields: [] }),
    );
    await symlink(join(outside, 'thing.json'), join(dir, 'escaping_link/objects/thing.json'));
    k = await startKizuna(kind, { pluginDirs: [dir] });
  });
  afterAll(async () => {
    await k?.close();
    await rm(dir, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('shows what is wrong with a manifest, in the list and when installing it', async () => {
    const list = (await k.call('GET', '/api/plugins')).body;
    const broken = list.broken.find((b: { name: string }) => b.name === 'broken_manifest');
    expect(broken.errors).toContainEqual(expect.objectContaining({ field: 'metadata.objects.0', message: 'must have "plural"' }));
    const r = await k.call('POST', '/api/plugins/broken_manifest/install');
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({
      type: expect.stringContaining('plugin-invalid'),
      plugin: 'broken_manifest',
      request_id: expect.any(String),
    });
    expect(r.body.errors).toContainEqual(expect.objectContaining({ field: 'metadata.objects.0', message: 'must have "plural"' }));
  });

  it('refuses a symbolic link leading out of the plugin folder', async () => {
    const broken = (await k.call('GET', '/api/plugins')).body.broken.find((b: { name: string }) => b.name === 'escaping_link');
    expect(broken.errors).toEqual([
      expect.objectContaining({
        field: 'metadata.objects.0',
        message: expect.stringMatching(/symbolic link .* outside the plugin folder/),
      }),
    ]);
    const r = await k.call('POST', '/api/plugins/escaping_link/install');
    expect(r.status).toBe(422);
    expect((await k.call('GET', '/api/meta/objects/thing')).status).toBe(404);
  });

  it('shows an after-hook that keeps failing (state, last error, backlog), retries it, and lets an admin skip the event, audited', async () => {
    expect((await k.call('POST', '/api/plugins/thrower/install')).status).toBe(201);
    const stuck = await k.call('POST', '/api/records/case', { subject: 'crash after create' });
    await k.call('POST', '/api/records/case', { subject: 'behind the stuck one' });
    const thrower = async () => {
      await k.plugins.drain();
      return (await k.call('GET', '/api/plugins')).body.data.find((p: { name: string }) => p.name === 'thrower').after_hooks;
    };
    await expect.poll(async () => (await thrower()).state).toBe('failing');
    const state = await thrower();
    expect(state).toMatchObject({
      last_error: 'boom in afterCreate',
      failing_event: { topic: 'record.created', object: 'case', record_id: stuck.body.id },
    });
    expect(state.failures).toBeGreaterThanOrEqual(1);
    expect(state.backlog).toBe(2);

    const retried = await k.call('POST', '/api/plugins/thrower/after-hooks/retry');
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ state: 'failing', failing_event: { id: state.failing_event.id } });
    expect(retried.body.failures).toBeGreaterThan(state.failures);

    expect((await k.call('POST', '/api/plugins/thrower/after-hooks/skip', { event: '1' })).status).toBe(409);
    expect((await k.call('POST', '/api/plugins/thrower/after-hooks/skip', { event: 7 })).status).toBe(422);
    const skipped = await k.call('POST', '/api/plugins/thrower/after-hooks/skip', { event: state.failing_event.id });
    expect(skipped.status, JSON.stringify(skipped.body)).toBe(200);
    await expect.poll(async () => ((await thrower()) as { backlog: number }).backlog).toBe(0);
    expect(await thrower()).toMatchObject({ state: 'ok', last_error: null, failing_event: null });
    expect((await k.call('GET', '/api/plugins/thrower/seen')).body).toContain('record.created:behind the stuck one');
    const [audit] = await k.db.query<{ changes: { event: { id: string }; error: string } }>(
      sql`select changes from kizuna_history where object = 'plugin:thrower' and action = 'after-hooks-skip'`,
    );
    expect(audit.changes).toMatchObject({ event: { id: state.failing_event.id }, error: 'boom in afterCreate' });
  });

  it('answers retry on a plugin without after-hooks with a 409 naming why, as skip does, never a null body', async () => {
    expect((await k.call('POST', '/api/plugins/hello/install')).status).toBe(201);
    for (const [path, body] of [
      ['retry', undefined],
      ['skip', { event: '1' }],
    ] as const) {
      const r = await k.call('POST', `/api/plugins/hello/after-hooks/${path}`, body);
      expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(409);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
    }
    const r = await k.call('POST', '/api/plugins/hello/after-hooks/retry');
    expect(r.body).toMatchObject({ plugin: 'hello', detail: expect.stringContaining('no after-hooks') });
  });
});
