// Write scopes hold for the record after the write, on every path (issue 13, items 13 and 14):
// an update may not take a record out of the caller's update scope unless the role grants
// `transfer`; an "own" create fills in the owner with or without a plugin's before-create hook.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { finished, upload } from '../testing/imports.ts';

const testPlugins = resolve(import.meta.dirname, '../plugins/testdata');

describe.each(databases)('write scopes on %s', (kind) => {
  let k: TestKizuna;
  const users: Record<string, { id: string; key: string }> = {};
  const as = (who: string) => (method: string, path: string, body?: unknown) =>
    k.call(method, path, body, { authorization: `Bearer ${users[who].key}` });
  const contact = async (body: Record<string, unknown>) => {
    const r = await k.call('POST', '/api/records/contact', body);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as { id: string; version: number };
  };
  const get = async (object: string, id: string) => (await k.call('GET', `/api/records/${object}/${id}`)).body;
  const history = async (id: string) => (await k.call('GET', `/api/records/contact/${id}/timeline`)).body.data.length as number;

  beforeAll(async () => {
    // thrower has a before-create hook on case (it only throws for a magic subject).
    k = await startKizuna(kind, { pluginDirs: [testPlugins] });
    expect((await k.call('POST', '/api/plugins/thrower/install')).status).toBe(201);
    const roles = [
      {
        name: 'nurturer',
        label: { en: 'Nurturer', ja: '育成担当' },
        objects: { contact: { read: 'all', create: 'all', update: { filter: { lifecycle: { neq: 'customer' } } } } },
      },
      {
        name: 'mover',
        label: { en: 'Mover', ja: '移管担当' },
        objects: { contact: { read: 'all', create: 'own', update: 'own', transfer: true } },
      },
      {
        name: 'case_owner',
        label: { en: 'Case owner', ja: 'ケース担当' },
        objects: { case: { read: 'all', create: 'own', update: 'own' } },
      },
      {
        name: 'case_team',
        label: { en: 'Case team', ja: 'ケースチーム' },
        objects: { case: { read: 'all', create: 'team', update: 'team' } },
      },
    ];
    for (const role of roles) expect((await k.call('POST', '/api/roles', role)).status).toBe(201);
    for (const [name, role] of [
      ['alice', 'sales_rep'],
      ['bob', 'sales_rep'],
      ['nina', 'nurturer'],
      ['mo', 'mover'],
      ['cas', 'case_owner'],
      ['carol', 'support_agent'],
      ['erin', 'support_agent'],
      ['tess', 'case_team'],
    ]) {
      const u = await k.call('POST', '/api/users', { email: `${name}@example.jp`, name, roles: [role] });
      expect(u.status, JSON.stringify(u.body)).toBe(201);
      users[name] = { id: u.body.id, key: (await k.call('POST', '/api/api-keys', { name, user_id: u.body.id })).body.key };
    }
  });
  afterAll(() => k?.close());

  describe('an update keeps the record inside the update scope', () => {
    it('refuses an "own" update that gives the record to someone else or to nobody, naming owner, and writes nothing', async () => {
      const c = await contact({ last_name: '自分の', owner: users.alice.id });
      const steps = await history(c.id);
      for (const owner of [users.bob.id, null]) {
        const r = await as('alice')('PATCH', `/api/records/contact/${c.id}`, { owner, title: '課長' });
        expect(r.status, JSON.stringify(r.body)).toBe(403);
        expect(r.headers.get('content-type')).toContain('application/problem+json');
        expect(r.body.errors).toEqual([{ field: 'owner', message: expect.stringMatching(/outside what you may update/) }]);
      }
      expect(await get('contact', c.id)).toMatchObject({ owner: users.alice.id, title: null, version: c.version });
      expect(await history(c.id)).toBe(steps);
      // What stays inside the scope is still allowed.
      expect((await as('alice')('PATCH', `/api/records/contact/${c.id}`, { owner: users.alice.id, title: '課長' })).status).toBe(200);
    });

    it('refuses a filter-scoped update whose result the filter excludes', async () => {
      const c = await contact({ last_name: '育成中', lifecycle: 'lead' });
      const r = await as('nina')('PATCH', `/api/records/contact/${c.id}`, { lifecycle: 'customer' });
      expect(r.status, JSON.stringify(r.body)).toBe(403);
      expect(r.body.errors[0].field).toBe('lifecycle');
      expect((await get('contact', c.id)).lifecycle).toBe('lead');
      expect((await as('nina')('PATCH', `/api/records/contact/${c.id}`, { lifecycle: 'prospect' })).status).toBe(200);
    });

    it('refuses a team-scoped update that gives the record to someone outside the team', async () => {
      const team = (await k.call('POST', '/api/teams', { name: 'Support', members: [users.carol.id, users.erin.id] })).body.id;
      expect(team).toBeTruthy();
      const c = (await k.call('POST', '/api/records/case', { subject: 'team case', assignee: users.erin.id })).body;
      const out = await as('carol')('PATCH', `/api/records/case/${c.id}`, { assignee: users.alice.id });
      expect(out.status, JSON.stringify(out.body)).toBe(403);
      expect(out.body.errors[0].field).toBe('assignee');
      expect((await get('case', c.id)).assignee).toBe(users.erin.id);
      expect((await as('carol')('PATCH', `/api/records/case/${c.id}`, { assignee: users.carol.id })).status).toBe(200);
    });

    it('holds on bulk upserts: the row is refused with 403 and nothing is written', async () => {
      const c = await contact({ last_name: '一括移管', owner: users.alice.id });
      const r = await as('alice')('POST', '/api/records/contact/bulk', {
        upsert_on: 'last_name',
        records: [{ last_name: '一括移管', owner: users.bob.id }],
      });
      expect(r.status, JSON.stringify(r.body)).toBe(403);
      expect(r.body.errors[0].field).toBe('records[0].owner');
      const partial = await as('alice')('POST', '/api/records/contact/bulk', {
        upsert_on: 'last_name',
        partial: true,
        records: [{ last_name: '一括移管', owner: null }],
      });
      expect(partial.body).toMatchObject({ updated: 0, failed: 1 });
      expect((await get('contact', c.id)).owner).toBe(users.alice.id);
    });

    it('holds on import upserts', async () => {
      const c = await contact({ last_name: '取込移管', owner: users.alice.id });
      const up = await upload(k, `last_name,owner\n取込移管,${users.bob.id}\n`, 'object=contact&filename=transfer.csv', users.alice.key);
      expect(up.status, JSON.stringify(up.body)).toBe(201);
      const start = await as('alice')('POST', `/api/imports/${up.body.id}/start`, {
        mode: 'partial',
        mapping: { last_name: 'last_name', owner: 'owner' },
        upsert_on: 'last_name',
      });
      expect(start.status, JSON.stringify(start.body)).toBe(202);
      expect(await finished(k, up.body.id)).toMatchObject({ rows_failed: 1, updated: 0 });
      expect((await get('contact', c.id)).owner).toBe(users.alice.id);
    });

    it('lets a role with transfer move a record out of its scope, and then no further', async () => {
      const c = await contact({ last_name: '移管', owner: users.mo.id });
      const r = await as('mo')('PATCH', `/api/records/contact/${c.id}`, { owner: users.bob.id });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.owner).toBe(users.bob.id);
      expect((await as('mo')('PATCH', `/api/records/contact/${c.id}`, { owner: users.mo.id })).status).toBe(403); // bob's now
      const d = await contact({ last_name: '手放す', owner: users.mo.id });
      expect((await as('mo')('PATCH', `/api/records/contact/${d.id}`, { owner: null })).body.owner).toBeNull();
    });

    it('validates transfer in role definitions and narrows it with a key role', async () => {
      const bad = await k.call('POST', '/api/roles', {
        name: 'bad_transfer',
        label: { en: 'x', ja: 'x' },
        objects: { contact: { update: 'own', transfer: 'yes' } },
      });
      expect(bad.status).toBe(422);
      expect(JSON.stringify(bad.body.errors)).toMatch(/transfer/);
      expect((await k.call('GET', '/api/roles/mover')).body.objects.contact.transfer).toBe(true);
      // mo's key narrowed to sales_rep (own updates, no transfer) cannot give records away.
      const narrowed = (await k.call('POST', '/api/api-keys', { name: 'narrow', user_id: users.mo.id, role: 'sales_rep' })).body.key;
      const c = await contact({ last_name: '狭い鍵', owner: users.mo.id });
      const r = await k.call('PATCH', `/api/records/contact/${c.id}`, { owner: users.bob.id }, { authorization: `Bearer ${narrowed}` });
      expect(r.status).toBe(403);
    });
  });

  describe('an "own" create fills in the owner on every path', () => {
    it('with a before-create hook, as without one (single, bulk and import)', async () => {
      const one = await as('cas')('POST', '/api/records/case', { subject: 'hooked create' });
      expect(one.status, JSON.stringify(one.body)).toBe(201);
      expect(one.body.assignee).toBe(users.cas.id);
      const bulk = await as('cas')('POST', '/api/records/case/bulk', {
        records: [{ subject: 'hooked bulk 1' }, { subject: 'hooked bulk 2' }],
      });
      expect(bulk.status, JSON.stringify(bulk.body)).toBe(200);
      for (const r of bulk.body.records) expect((await get('case', r.id)).assignee).toBe(users.cas.id);
      const up = await upload(k, 'subject\nhooked import\n', 'object=case&filename=cases.csv', users.cas.key);
      expect(
        (await as('cas')('POST', `/api/imports/${up.body.id}/start`, { mode: 'partial', mapping: { subject: 'subject' } })).status,
      ).toBe(202);
      expect(await finished(k, up.body.id)).toMatchObject({ created: 1, rows_failed: 0 });
      const imported = (await k.call('GET', `/api/records/case?filter=${encodeURIComponent(JSON.stringify({ subject: 'hooked import' }))}`))
        .body.data;
      expect(imported.map((c: { assignee: string }) => c.assignee)).toEqual([users.cas.id]);
      // Naming someone else is still refused, hook or not.
      expect((await as('cas')('POST', '/api/records/case', { subject: 'not mine', assignee: users.alice.id })).status).toBe(403);
      expect((await as('alice')('POST', '/api/records/contact', { last_name: 'no hook' })).body.owner).toBe(users.alice.id);
    });

    // The studio's create form sends every empty field as null, and an import's empty cell is
    // null too: "names no owner" either way (black-box report F1, issue 13 item 14).
    it('fills in an explicit null owner like an absent one (single, bulk, import, {own: assignee})', async () => {
      const one = await as('alice')('POST', '/api/records/contact', { last_name: '山本', owner: null });
      expect(one.status, JSON.stringify(one.body)).toBe(201);
      expect(one.body.owner).toBe(users.alice.id);
      const bulk = await as('alice')('POST', '/api/records/contact/bulk', { records: [{ last_name: '空の所有者', owner: null }] });
      expect(bulk.status, JSON.stringify(bulk.body)).toBe(200);
      expect((await get('contact', bulk.body.records[0].id)).owner).toBe(users.alice.id);
      const up = await upload(k, 'last_name,owner\n空欄所有者,\n', 'object=contact&filename=empty-owner.csv', users.alice.key);
      expect(up.status, JSON.stringify(up.body)).toBe(201);
      expect(
        (
          await as('alice')('POST', `/api/imports/${up.body.id}/start`, {
            mode: 'partial',
            mapping: { last_name: 'last_name', owner: 'owner' },
          })
        ).status,
      ).toBe(202);
      expect(await finished(k, up.body.id)).toMatchObject({ created: 1, rows_failed: 0 });
      const imported = (
        await k.call('GET', `/api/records/contact?filter=${encodeURIComponent(JSON.stringify({ last_name: '空欄所有者' }))}`)
      ).body.data;
      expect(imported.map((c: { owner: string }) => c.owner)).toEqual([users.alice.id]);
      const kase = await as('cas')('POST', '/api/records/case', { subject: 'null assignee', assignee: null });
      expect(kase.status, JSON.stringify(kase.body)).toBe(201);
      expect(kase.body.assignee).toBe(users.cas.id);
      // Someone else is still refused.
      const other = await as('alice')('POST', '/api/records/contact', { last_name: '他人', owner: users.bob.id });
      expect(other.status).toBe(403);
      expect(other.body.errors).toEqual([{ field: 'owner', message: 'is outside what you may create' }]);
    });
  });

  it("names the team scope's field when a team-scoped create is refused", async () => {
    const r = await as('tess')('POST', '/api/records/case', { subject: 'outside the team', assignee: users.alice.id });
    expect(r.status, JSON.stringify(r.body)).toBe(403);
    expect(r.body.errors).toEqual([{ field: 'assignee', message: 'is outside what you may create' }]);
    expect((await as('tess')('POST', '/api/records/case', { subject: 'mine', assignee: users.tess.id })).status).toBe(201);
  });
});
