// What a plugin adds to the audit trail: a note ({ en, ja }) on its writes, in the history row,
// the record's timeline and GET /api/audit; and its own bookkeeping written as itself
// (ctx.asPlugin) in the caller's transaction, which callers need no permission on.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { pluginFolderWith } from '../testing/plugins.ts';

describe.each(databases)('plugin write notes and asPlugin on %s', (kind) => {
  let k: TestKizuna;
  let dir: string;
  let editor: Record<string, string>;
  let editorId: string;
  const note = { en: 'Touched by the probe', ja: '検査で変更' };
  const timeline = async (id: string) => (await k.call('GET', `/api/records/contact/${id}/timeline`)).body.data;
  const logsOf = async (id: string) =>
    (await k.call('GET', `/api/records/note_probe_log?filter=${encodeURIComponent(JSON.stringify({ contact: id }))}`)).body.data;

  beforeAll(async () => {
    dir = await pluginFolderWith('note_probe');
    k = await startKizuna(kind, { pluginDirs: [dir] });
    expect((await k.call('POST', '/api/plugins/note_probe/install')).status).toBe(201);
    // Contacts only: no grant at all on the plugin's own object.
    await k.call('POST', '/api/roles', {
      name: 'contact_editor',
      label: { en: 'E', ja: 'E' },
      objects: { contact: { read: 'all', create: 'all', update: 'all', delete: 'all' } },
    });
    const u = await k.call('POST', '/api/users', { email: 'note.editor@example.jp', name: 'Editor', roles: ['contact_editor'] });
    editorId = u.body.id;
    editor = { authorization: `Bearer ${(await k.call('POST', '/api/api-keys', { name: 'e', user_id: editorId })).body.key}` };
  });
  afterAll(async () => {
    await k?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps a write's note in the timeline and the audit trail, and writes the plugin's own record as the plugin", async () => {
    const c = (await k.call('POST', '/api/records/contact', { last_name: '注記' })).body;
    const r = await k.call('POST', `/api/plugins/note_probe/touch/${c.id}`, { title: '課長' }, editor);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const [entry] = await timeline(c.id);
    expect(entry).toMatchObject({ action: 'update', actor: editorId, note, changes: { title: { from: null, to: '課長' } } });
    // The log: the plugin's user created it, the caller is what it says; the caller cannot read it.
    expect(r.body).toMatchObject({ contact: c.id, by: editorId });
    expect(r.body.created_by).not.toBe(editorId);
    expect((await k.call('GET', `/api/records/note_probe_log/${r.body.id}`, undefined, editor)).status).toBe(403);
    const audit = (await k.call('GET', `/api/audit?record_id=${r.body.id}`)).body.data;
    expect(audit).toEqual([
      expect.objectContaining({
        object: 'note_probe_log',
        action: 'create',
        via: 'plugin:note_probe',
        actor: r.body.created_by,
        request_id: entry.request_id,
        note: null,
      }),
    ]);
    const contactAudit = (await k.call('GET', `/api/audit?record_id=${c.id}`)).body.data;
    expect(contactAudit[0]).toMatchObject({ action: 'update', actor: editorId, note });
    // A write without a note has none.
    await k.call('PATCH', `/api/records/contact/${c.id}`, { title: '部長' });
    expect((await timeline(c.id))[0]).toMatchObject({ action: 'update', note: null });
  });

  it('notes trash and restore too', async () => {
    const c = (await k.call('POST', '/api/records/contact', { last_name: '往復' })).body;
    const r = await k.call('POST', `/api/plugins/note_probe/bounce/${c.id}`, undefined, editor);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const [restored, deleted] = await timeline(c.id);
    expect(restored).toMatchObject({ action: 'restore', note: { en: 'Bounced back', ja: '復帰' } });
    expect(deleted).toMatchObject({ action: 'delete', note: { en: 'Bounced away', ja: '一時退避' } });
  });

  it("rolls the caller's write and the plugin's own back together", async () => {
    const c = (await k.call('POST', '/api/records/contact', { last_name: '取消' })).body;
    const r = await k.call('POST', `/api/plugins/note_probe/touch/${c.id}`, { fail: true }, editor);
    expect(r.status).toBe(409);
    expect((await k.call('GET', `/api/records/contact/${c.id}`)).body.title).toBeNull();
    expect(await logsOf(c.id)).toEqual([]);
  });

  it("refuses a note that is not { en, ja } as the plugin's error, writing nothing", async () => {
    const c = (await k.call('POST', '/api/records/contact', { last_name: '不正' })).body;
    const r = await k.call('POST', `/api/plugins/note_probe/touch/${c.id}`, { bad_note: true }, editor);
    expect(r.status).toBe(500);
    expect(r.body).toMatchObject({ type: expect.stringContaining('plugin-error'), plugin: 'note_probe' });
    expect((await timeline(c.id)).map((e: { action: string }) => e.action)).toEqual(['create']);
    expect(await logsOf(c.id)).toEqual([]);
  });
});
