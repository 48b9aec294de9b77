// What merges and their undo refuse, and who may do them: merging a pair twice, undoing a
// merge that is unknown, expired, already undone, overtaken by a later merge or missing an
// erased duplicate, and a user with no grant on the plugin's journal merging and undoing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from 'kizuna/testing';

type Row = Record<string, any>;

describe.each(databases)('merge and unmerge limits on %s', (kind) => {
  let k: TestKizuna;
  const create = async (object: string, values: Row, headers?: Record<string, string>) => {
    const r = await k.call('POST', `/api/records/${object}`, values, headers);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as Row;
  };
  const asUser = async (email: string, roles: string[]) => {
    const u = await k.call('POST', '/api/users', { email, name: email, roles });
    return {
      id: u.body.id as string,
      headers: { authorization: `Bearer ${(await k.call('POST', '/api/api-keys', { name: email, user_id: u.body.id })).body.key}` },
    };
  };
  const merge = (object: string, body: Row, headers?: Record<string, string>) =>
    k.call('POST', `/api/plugins/dedupe/merge/${object}`, body, headers);
  const unmerge = (object: string, id: string, body: Row = {}, headers?: Record<string, string>) =>
    k.call('POST', `/api/plugins/dedupe/unmerge/${object}/${id}`, body, headers);
  const merges = async (object: string, id: string, headers?: Record<string, string>) =>
    k.call('GET', `/api/plugins/dedupe/merges/${object}/${id}`, undefined, headers);
  const pair = async (tag: string) => [
    await create('contact', { last_name: `限界${tag}`, email: `m.${tag}@example.jp` }),
    await create('contact', { last_name: `限界${tag}`, title: '係長' }),
  ];

  beforeAll(async () => {
    k = await startKizuna(kind);
    expect((await k.call('POST', '/api/plugins/dedupe/install')).status).toBe(201);
  });
  afterAll(async () => k?.close());

  it('merges a pair once: again is a 409 naming duplicates.<i> and the merge; dedupe_merged_from stays a set', async () => {
    const [m, d] = await pair('twice');
    const first = await merge('contact', { master: m.id, duplicates: [d.id] });
    expect(first.status).toBe(200);
    const again = await merge('contact', { master: m.id, duplicates: [d.id] });
    expect(again.status).toBe(409);
    expect(again.body.errors).toEqual([{ field: 'duplicates.0', message: `is already merged into ${m.id} (merge ${first.body.merge})` }]);
    const unknown = '01900000-0000-7000-8000-000000000000';
    const missing = await merge('contact', { master: m.id, duplicates: [d.id, unknown] });
    expect(missing.status).toBe(404);
    expect(missing.body.errors).toEqual([{ field: 'duplicates.1', message: 'no contact record with this id' }]);
    const trashedMaster = await merge('contact', { master: d.id, duplicates: [m.id] });
    expect(trashedMaster.status).toBe(409);
    expect(trashedMaster.body.errors[0]).toMatchObject({ field: 'master', message: expect.stringContaining('already merged') });
    // Restored by hand and merged again: listed once, and the first merge waits for the second's undo.
    expect((await k.call('POST', `/api/records/contact/${d.id}/restore`)).status).toBe(200);
    const second = await merge('contact', { master: m.id, duplicates: [d.id] });
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body.master.dedupe_merged_from).toEqual([d.id]);
    const list = (await merges('contact', d.id)).body.data;
    expect(list.map((e: Row) => [e.id, e.role, e.not_undoable])).toEqual([
      [second.body.merge, 'duplicate', null],
      [first.body.merge, 'duplicate', 'later_merge'],
    ]);
    const blocked = await unmerge('contact', first.body.merge);
    expect(blocked.status).toBe(409);
    expect(blocked.body).toMatchObject({ later_merge: second.body.merge, detail: expect.stringContaining('undo it first') });
    expect((await unmerge('contact', second.body.merge)).status).toBe(200);
    expect((await unmerge('contact', first.body.merge)).status).toBe(200);
    expect((await k.call('GET', `/api/records/contact/${m.id}`)).body).toMatchObject({
      dedupe_merged_from: null,
      email: `m.twice@example.jp`,
      title: null,
    });
  });

  it('lets one of two simultaneous merges of a duplicate, and one of two undos of a merge, through; the other is a 409', async () => {
    const [m, d] = await pair('race');
    const [a, b] = await Promise.all([
      merge('contact', { master: m.id, duplicates: [d.id] }),
      merge('contact', { master: m.id, duplicates: [d.id] }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const lost = a.status === 409 ? a : b;
    expect(lost.body.errors[0].field).toBe('duplicates.0');
    const won = a.status === 200 ? a : b;
    expect((await k.call('GET', `/api/records/contact/${m.id}`)).body.dedupe_merged_from).toEqual([d.id]);
    const undos = await Promise.all([unmerge('contact', won.body.merge), unmerge('contact', won.body.merge)]);
    expect(undos.map((u) => u.status).sort()).toEqual([200, 409]);
    expect(
      (await k.call('GET', `/api/records/contact/${d.id}/timeline`)).body.data.filter((e: Row) => e.action === 'restore'),
    ).toHaveLength(1);
  });

  it('answers 404 for an unknown merge, one of another object, or no merge id at all', async () => {
    const [m, d] = await pair('404');
    const r = await merge('contact', { master: m.id, duplicates: [d.id] });
    expect((await unmerge('contact', '01900000-0000-7000-8000-000000000001')).status).toBe(404);
    expect((await unmerge('company', r.body.merge)).status).toBe(404);
    expect((await unmerge('contact', 'not-a-merge')).status).toBe(404);
    expect((await unmerge('nothing', r.body.merge)).status).toBe(404);
    expect((await merges('contact', '01900000-0000-7000-8000-000000000002')).status).toBe(404);
    expect((await merges('contact', d.id)).status).toBe(200);
  });

  it('refuses an expired merge with 409 saying until when it could be undone; unmerge_days 0 records merges that cannot be undone', async () => {
    const [m, d] = await pair('expired');
    const r = await merge('contact', { master: m.id, duplicates: [d.id] });
    // An admin may shorten (or lengthen) the period of one merge in its journal entry.
    const past = '2020-01-01T00:00:00.000Z';
    expect((await k.call('PATCH', `/api/records/dedupe_merge/${r.body.merge}`, { expires_at: past })).status).toBe(200);
    const expired = await unmerge('contact', r.body.merge);
    expect(expired.status).toBe(409);
    expect(expired.body.detail).toMatch(/can no longer be undone: it could be until 2020-01-01T00:00:00.000Z/);
    expect(expired.body.expires_at).toBe(past);
    expect((await merges('contact', m.id)).body.data[0]).toMatchObject({ undoable: false, not_undoable: 'expired' });

    expect((await k.call('PUT', '/api/plugins/dedupe/settings', { unmerge_days: 0 })).status).toBe(200);
    const [m2, d2] = await pair('zero');
    const z = await merge('contact', { master: m2.id, duplicates: [d2.id] });
    const entry = (await k.call('GET', `/api/records/dedupe_merge/${z.body.merge}`)).body;
    expect(entry.expires_at).toBe(entry.merged_at);
    expect((await unmerge('contact', z.body.merge)).status).toBe(409);
    expect((await k.call('PUT', '/api/plugins/dedupe/settings', { unmerge_days: -1 })).status).toBe(422);
    expect((await k.call('PUT', '/api/plugins/dedupe/settings', {})).status).toBe(200);
  });

  it('refuses with 409 naming duplicates.<i> when a duplicate was erased since, and master when it is in the trash', async () => {
    const m = await create('contact', { last_name: '消去' });
    const d1 = await create('contact', { last_name: '消去', title: '一' });
    const d2 = await create('contact', { last_name: '消去', title: '二' });
    const kase = await create('case', { subject: '消去の件', contact: d1.id });
    const r = await merge('contact', { master: m.id, duplicates: [d1.id, d2.id] });
    expect((await k.call('DELETE', `/api/records/contact/${d2.id}?permanent=true`)).status).toBe(204);
    const gone = await unmerge('contact', r.body.merge);
    expect(gone.status).toBe(409);
    expect(gone.body.errors).toEqual([{ field: 'duplicates.1', message: `${d2.id} was erased since the merge, or you may not read it` }]);
    expect((await merges('contact', m.id)).body.data[0]).toMatchObject({ undoable: false, not_undoable: 'duplicate_gone' });
    expect((await k.call('GET', `/api/records/case/${kase.id}`)).body.contact).toBe(m.id);

    const [m2, d3] = await pair('trash');
    const r2 = await merge('contact', { master: m2.id, duplicates: [d3.id] });
    expect((await k.call('DELETE', `/api/records/contact/${m2.id}`)).status).toBe(204);
    const trashed = await unmerge('contact', r2.body.merge);
    expect(trashed.status).toBe(409);
    expect(trashed.body.errors).toEqual([{ field: 'master', message: `${m2.id} is in the trash: restore it first` }]);
  });

  it('lets a user without any grant on the journal merge and undo; a viewer may list merges but not undo', async () => {
    await k.call('POST', '/api/roles', {
      name: 'merger',
      label: { en: 'Merger', ja: '統合担当' },
      objects: {
        contact: { read: 'all', create: 'all', update: 'all', delete: 'all' },
        case: { read: 'all', create: 'all', update: 'all', delete: 'none' },
        company: { read: 'all', create: 'none', update: 'all', delete: 'none' },
        message: { read: 'all', create: 'none', update: 'all', delete: 'none' },
      },
    });
    const merger = await asUser('merger.undo@example.jp', ['merger']);
    const viewer = await asUser('viewer.undo@example.jp', ['viewer']);
    const [m, d] = await pair('role');
    const kase = await create('case', { subject: '担当の件', contact: d.id });
    const r = await merge('contact', { master: m.id, duplicates: [d.id] }, merger.headers);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect((await k.call('GET', `/api/records/dedupe_merge/${r.body.merge}`)).body.merged_by).toBe(merger.id);
    expect((await k.call('GET', `/api/records/dedupe_merge/${r.body.merge}`, undefined, merger.headers)).status).toBe(403);
    // The journal holds other records' values: a "*" grant (the viewer's read on everything)
    // does not reach it, only a grant naming it.
    expect((await k.call('GET', `/api/records/dedupe_merge/${r.body.merge}`, undefined, viewer.headers)).status).toBe(403);
    expect((await k.call('GET', '/api/records/dedupe_merge', undefined, viewer.headers)).status).toBe(403);
    await k.call('POST', '/api/roles', {
      name: 'journal_reader',
      label: { en: 'J', ja: 'J' },
      objects: { dedupe_merge: { read: 'all', create: 'none', update: 'none', delete: 'none' } },
    });
    const reader = await asUser('journal.reader@example.jp', ['journal_reader']);
    expect((await k.call('GET', `/api/records/dedupe_merge/${r.body.merge}`, undefined, reader.headers)).status).toBe(200);
    const listed = await merges('contact', m.id, viewer.headers);
    expect(listed.status).toBe(200);
    expect(listed.body.data[0]).toMatchObject({ id: r.body.merge, undoable: true });
    expect((await unmerge('contact', r.body.merge, {}, viewer.headers)).status).toBe(403);
    const u = await unmerge('contact', r.body.merge, {}, merger.headers);
    expect(u.status, JSON.stringify(u.body)).toBe(200);
    expect((await k.call('GET', `/api/records/dedupe_merge/${r.body.merge}`)).body.undone_by).toBe(merger.id);
    expect((await k.call('GET', `/api/records/case/${kase.id}`)).body.contact).toBe(d.id);
  });
});
