// Merges undone exactly: the journal a merge writes, POST /unmerge putting every record, its
// relations and the master's values back as they were, and the timelines saying so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from 'kizuna/testing';

type Row = Record<string, any>;

describe.each(databases)('undoable merges on %s', (kind) => {
  let k: TestKizuna;
  let adminId: string;
  const create = async (object: string, values: Row) => {
    const r = await k.call('POST', `/api/records/${object}`, values);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as Row;
  };
  /** A record live or in the trash (the trash also answers deleted_at). */
  const read = async (object: string, id: string): Promise<Row> => {
    const live = await k.call('GET', `/api/records/${object}/${id}`);
    if (live.status === 200) return live.body;
    const filter = encodeURIComponent(JSON.stringify({ id }));
    return (await k.call('GET', `/api/records/${object}?trashed=true&filter=${filter}`)).body.data[0];
  };
  const readAll = async (rows: [string, Row][]) => Promise.all(rows.map(([o, r]) => read(o, r.id)));
  /** What an undo must give back: everything but the version and when it was last written. */
  const state = ({ version: _v, updated_at: _u, ...rest }: Row) => rest;
  const merge = (object: string, body: Row, headers?: Record<string, string>) =>
    k.call('POST', `/api/plugins/dedupe/merge/${object}`, body, headers);
  const unmerge = (object: string, id: string, body: Row = {}, headers?: Record<string, string>) =>
    k.call('POST', `/api/plugins/dedupe/unmerge/${object}/${id}`, body, headers);
  const merges = async (object: string, id: string) => (await k.call('GET', `/api/plugins/dedupe/merges/${object}/${id}`)).body;
  const timeline = async (object: string, id: string) => (await k.call('GET', `/api/records/${object}/${id}/timeline`)).body.data as Row[];

  beforeAll(async () => {
    k = await startKizuna(kind);
    expect((await k.call('POST', '/api/plugins/dedupe/install')).status).toBe(201);
    adminId = (await k.call('GET', '/api/auth/me')).body.user.id;
    // A self-relation, a unique value that a merge moves, and a custom object pointing at both.
    for (const f of [
      { name: 'reports_to', type: 'relation', target: 'contact', label: { en: 'Reports to', ja: '上長' } },
      { name: 'employee_code', type: 'text', unique: true, label: { en: 'Employee code', ja: '社員番号' } },
    ])
      expect((await k.call('POST', '/api/meta/objects/contact/fields', f)).status).toBe(201);
    const project = await k.call('POST', '/api/meta/objects', {
      name: 'project',
      label: { en: 'Project', ja: '案件' },
      plural: 'projects',
      fields: [
        { name: 'name', type: 'text', label: { en: 'Name', ja: '名前' } },
        { name: 'lead', type: 'relation', target: 'contact', label: { en: 'Lead', ja: '責任者' } },
        { name: 'client', type: 'relation', target: 'company', label: { en: 'Client', ja: '顧客' } },
      ],
    });
    expect(project.status, JSON.stringify(project.body)).toBe(201);
  });
  afterAll(async () => k?.close());

  it("undoes a contact merge exactly: both records, their relations and the master's values as before", async () => {
    const co = await create('company', { name: '元通り商事' });
    const m = await create('contact', { last_name: '戻す', email: 'm.undo@example.jp', employee_code: 'E-1', company: co.id });
    const d1 = await create('contact', { last_name: '戻す', email: 'd1.undo@example.jp', title: '部長', employee_code: 'E-2' });
    const d2 = await create('contact', { last_name: 'もどす', phone: '03-1111-2222', reports_to: m.id });
    await k.call('PATCH', `/api/records/contact/${d1.id}`, { reports_to: d2.id });
    await k.call('PATCH', `/api/records/contact/${m.id}`, { reports_to: d1.id });
    const case1 = await create('case', { subject: '戻す件', contact: d1.id });
    const case2 = await create('case', { subject: '戻す件 2', contact: d2.id });
    const msg = await create('message', { subject: '連絡', contact: d2.id });
    const co2 = await create('company', { name: '主担当商事', primary_contact: d1.id });
    const pj = await create('project', { name: '案件A', lead: d1.id });
    const all: [string, Row][] = [
      ['contact', m],
      ['contact', d1],
      ['contact', d2],
      ['case', case1],
      ['case', case2],
      ['message', msg],
      ['company', co2],
      ['project', pj],
    ];
    const before = await readAll(all);

    const r = await merge('contact', { master: m.id, duplicates: [d1.id, d2.id], fields: { email: d1.id, employee_code: d1.id } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      merge: expect.any(String),
      merged: [d1.id, d2.id],
      master: {
        email: 'd1.undo@example.jp',
        employee_code: 'E-2',
        title: '部長',
        phone: '03-1111-2222',
        reports_to: m.id,
        dedupe_merged_from: [d1.id, d2.id],
      },
    });
    const mergeId = r.body.merge;
    expect((await readAll(all)).map(state)).not.toEqual(before.map(state));
    // The journal: what the merge changed on the master, the duplicates as trashed, each moved row.
    const entry = (await k.call('GET', `/api/records/dedupe_merge/${mergeId}`)).body;
    expect(entry).toMatchObject({
      merged_object: 'contact',
      master: m.id,
      duplicates: [d1.id, d2.id],
      merged_by: adminId,
      undone_at: null,
      expires_at: r.body.expires_at,
    });
    expect(Date.parse(entry.expires_at) - Date.parse(entry.merged_at)).toBe(30 * 86_400_000);
    expect(Object.keys(entry.master_changes).sort()).toEqual(['dedupe_merged_from', 'email', 'employee_code', 'phone', 'title']);
    expect(entry.master_changes.email).toEqual({ from: 'm.undo@example.jp', to: 'd1.undo@example.jp' });
    expect(entry.snapshots[d1.id]).toMatchObject({ email: 'd1.undo@example.jp', reports_to: m.id, deleted_at: expect.any(String) });
    expect(entry.relations[d1.id]).toEqual(
      expect.arrayContaining([
        { object: 'case', field: 'contact', id: case1.id },
        { object: 'company', field: 'primary_contact', id: co2.id },
        { object: 'project', field: 'lead', id: pj.id },
        { object: 'contact', field: 'reports_to', id: m.id },
      ]),
    );
    expect(entry.relations[d2.id]).toEqual(
      expect.arrayContaining([
        { object: 'contact', field: 'reports_to', id: d1.id },
        { object: 'message', field: 'contact', id: msg.id },
      ]),
    );
    const listed = await merges('contact', m.id);
    expect(listed.data).toEqual([
      expect.objectContaining({
        id: mergeId,
        role: 'master',
        undoable: true,
        not_undoable: null,
        changed: expect.arrayContaining(['email', 'title']),
      }),
    ]);
    expect(listed.data[0].duplicates).toEqual([
      expect.objectContaining({ id: d1.id, state: 'trash' }),
      expect.objectContaining({ id: d2.id, state: 'trash' }),
    ]);
    expect((await merges('contact', d1.id)).data).toEqual([expect.objectContaining({ id: mergeId, role: 'duplicate', undoable: true })]);

    const u = await unmerge('contact', mergeId);
    expect(u.status, JSON.stringify(u.body)).toBe(200);
    expect(u.body).toMatchObject({ merge: mergeId, skipped: [], forced: [], kept: [] });
    expect(u.body.restored.map((x: Row) => x.id)).toEqual([d1.id, d2.id]);
    expect(u.body.repointed).toEqual(
      expect.arrayContaining([
        { object: 'case', field: 'contact', count: 2 },
        { object: 'project', field: 'lead', count: 1 },
        { object: 'contact', field: 'reports_to', count: 2 },
      ]),
    );
    const after = await readAll(all);
    expect(after.map(state)).toEqual(before.map(state));

    // The journal says it is undone; the list says it cannot be undone again, and so does the route.
    expect((await k.call('GET', `/api/records/dedupe_merge/${mergeId}`)).body).toMatchObject({
      undone_at: expect.any(String),
      undone_by: adminId,
    });
    expect((await merges('contact', m.id)).data[0]).toMatchObject({ undoable: false, not_undoable: 'undone', undone_by: adminId });
    const again = await unmerge('contact', mergeId);
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/already undone/);

    // Timelines: the merge and its undo, each write saying which it was.
    const notes = (tl: Row[]) => tl.map((e) => [e.action, e.note?.en ?? null]);
    expect(notes(await timeline('contact', d1.id)).slice(0, 3)).toEqual([
      ['update', `Moved back from ${m.id} to ${d2.id}: merge undone`],
      ['restore', `Restored by undoing merge ${mergeId} into ${m.id}`],
      ['delete', `Merged into ${m.id}`],
    ]);
    const mtl = notes(await timeline('contact', m.id));
    expect(mtl).toContainEqual(['update', `Merge ${mergeId} undone: 2 records split off again`]);
    expect(mtl).toContainEqual(['update', 'Took in 2 merged duplicates']);
    expect(notes(await timeline('case', case1.id))).toEqual([
      ['update', `Moved back from ${m.id} to ${d1.id}: merge undone`],
      ['update', `Moved from ${d1.id} to ${m.id} by a merge`],
      ['create', null],
    ]);
    expect((await timeline('case', case1.id))[1].note.ja).toBe(`統合により ${d1.id} から ${m.id} に付け替え`);
  });

  it('gives a merged company its contacts back, leaving alone those moved elsewhere since (skipped)', async () => {
    const m = await create('company', { name: '株式会社さくら' });
    const d = await create('company', { name: 'さくら（株）', phone: '03-5555-0000', website: 'https://sakura.example' });
    const other = await create('company', { name: '別会社' });
    const [c1, c2, c3] = [
      await create('contact', { last_name: '一', company: d.id }),
      await create('contact', { last_name: '二', company: d.id }),
      await create('contact', { last_name: '三', company: d.id }),
    ];
    const kase = await create('case', { subject: '会社の件', company: d.id });
    const pj = await create('project', { name: '顧客案件', client: d.id });
    const r = await merge('company', { master: m.id, duplicates: [d.id] });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect((await read('contact', c1.id)).company).toBe(m.id);
    // Since the merge: one contact moved to another company, one trashed.
    await k.call('PATCH', `/api/records/contact/${c2.id}`, { company: other.id });
    expect((await k.call('DELETE', `/api/records/contact/${c3.id}`)).status).toBe(204);

    const u = await unmerge('company', r.body.merge);
    expect(u.status, JSON.stringify(u.body)).toBe(200);
    expect(u.body.skipped).toEqual(
      expect.arrayContaining([
        { object: 'contact', field: 'company', id: c2.id, duplicate: d.id, reason: 'changed', points_to: other.id },
        { object: 'contact', field: 'company', id: c3.id, duplicate: d.id, reason: 'missing' },
      ]),
    );
    expect(u.body.skipped).toHaveLength(2);
    expect((await read('contact', c1.id)).company).toBe(d.id);
    expect((await read('contact', c2.id)).company).toBe(other.id);
    expect((await read('case', kase.id)).company).toBe(d.id);
    expect((await read('project', pj.id)).client).toBe(d.id);
    expect(state(await read('company', m.id))).toEqual(state(m));
    expect(state(await read('company', d.id))).toEqual(state(d));
    // What the undo left alone stays in the journal.
    expect((await k.call('GET', `/api/records/dedupe_merge/${r.body.merge}`)).body.undo.skipped).toHaveLength(2);
  });

  it("refuses to put the master's values back over a later change (409 naming them) unless forced", async () => {
    const m = await create('contact', { last_name: '上書き', title: null, email: 'over.m@example.jp' });
    const d = await create('contact', { last_name: '上書き', title: '課長', email: 'over.d@example.jp' });
    const r = await merge('contact', { master: m.id, duplicates: [d.id], fields: { email: d.id } });
    await k.call('PATCH', `/api/records/contact/${m.id}`, { title: '部長' });
    const refused = await unmerge('contact', r.body.merge);
    expect(refused.status).toBe(409);
    expect(refused.body.errors).toEqual([
      { field: 'master.title', message: 'was changed since the merge', keyword: 'changed_since_merge' },
    ]);
    expect(refused.body.changed).toEqual(['master.title']);
    expect(refused.body.detail).toMatch(/"force": true/);
    // Nothing moved: the duplicate is still in the trash, the journal not undone.
    expect((await read('contact', d.id)).deleted_at).toBeTruthy();
    expect((await read('contact', m.id)).email).toBe('over.d@example.jp');
    expect((await merges('contact', m.id)).data[0].undoable).toBe(true);
    const forced = await unmerge('contact', r.body.merge, { force: true });
    expect(forced.status, JSON.stringify(forced.body)).toBe(200);
    expect(forced.body.forced).toEqual(['master.title']);
    expect(forced.body.master).toMatchObject({ title: null, email: 'over.m@example.jp', dedupe_merged_from: null });
    expect(state(await read('contact', d.id))).toEqual(state(d));
    expect((await unmerge('contact', r.body.merge, { force: 'yes' })).status).toBe(422);
  });

  it('treats a duplicate restored and edited by hand like a changed master field', async () => {
    const m = await create('contact', { last_name: '手戻し' });
    const d = await create('contact', { last_name: '手戻し', phone: '090-1234-0000' });
    const kase = await create('case', { subject: '手戻しの件', contact: d.id });
    const r = await merge('contact', { master: m.id, duplicates: [d.id] });
    expect((await k.call('POST', `/api/records/contact/${d.id}/restore`)).status).toBe(200);
    await k.call('PATCH', `/api/records/contact/${d.id}`, { phone: '090-9999-0000' });
    const refused = await unmerge('contact', r.body.merge);
    expect(refused.status).toBe(409);
    expect(refused.body.errors).toEqual([
      { field: 'duplicates.0.phone', message: 'was changed since the merge', keyword: 'changed_since_merge' },
    ]);
    const forced = await unmerge('contact', r.body.merge, { force: true });
    expect(forced.status, JSON.stringify(forced.body)).toBe(200);
    expect(forced.body.forced).toEqual(['duplicates.0.phone']);
    expect(state(await read('contact', d.id))).toEqual(state({ ...d, updated_by: adminId }));
    expect((await read('case', kase.id)).contact).toBe(d.id);
    expect((await read('contact', m.id)).phone).toBeNull();
  });
});
