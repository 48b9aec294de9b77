// The permission matrix: three roles (and an admin, and a narrowed key) over the standard
// objects, through every read path and every write. A leak anywhere fails it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';

const enc = (v: unknown) => encodeURIComponent(JSON.stringify(v));

describe.each(databases)('permissions on %s', (kind) => {
  let k: TestKizuna;
  const users: Record<string, { id: string; key: string }> = {};
  const ids: Record<string, string> = {};
  const as = (who: string) => (method: string, path: string, body?: unknown) =>
    k.call(method, path, body, { authorization: `Bearer ${users[who].key}` });

  beforeAll(async () => {
    k = await startKizuna(kind);
    const sales = (await k.call('POST', '/api/teams', { name: 'Sales East' })).body.id;
    const support = (await k.call('POST', '/api/teams', { name: 'Support' })).body.id;
    const people: [string, string[], string[]][] = [
      ['alice', ['sales_rep'], [sales]],
      ['bob', ['sales_rep'], [sales]],
      ['carol', ['support_agent'], [support]],
      ['erin', ['support_agent'], [support]],
      ['oscar', ['support_agent'], []],
      ['dave', ['viewer'], []],
    ];
    for (const [name, roles, teams] of people) {
      const u = await k.call('POST', '/api/users', { email: `${name}@example.jp`, name, roles, teams });
      expect(u.status, JSON.stringify(u.body)).toBe(201);
      const key = await k.call('POST', '/api/api-keys', { name: `${name} key`, user_id: u.body.id });
      expect(key.status, JSON.stringify(key.body)).toBe(201);
      users[name] = { id: u.body.id, key: key.body.key };
    }
    const mk = async (object: string, body: Record<string, unknown>) => {
      const r = await k.call('POST', `/api/records/${object}`, body);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.id as string;
    };
    ids.acmeA = await mk('company', { name: 'Acme (alice)', owner: users.alice.id, annual_revenue: { amount: '900000000' } });
    ids.acmeB = await mk('company', { name: 'Beta (bob)', owner: users.bob.id, annual_revenue: { amount: '5' } });
    ids.contactA = await mk('contact', {
      last_name: '青木',
      owner: users.alice.id,
      company: ids.acmeA,
      mobile: '090-1111-2222',
      notes: '社外秘メモ',
    });
    ids.contactB = await mk('contact', { last_name: '坂本', owner: users.bob.id, company: ids.acmeB, mobile: '090-3333-4444' });
    ids.caseC = await mk('case', {
      subject: 'Carol case',
      assignee: users.carol.id,
      contact: ids.contactA,
      company: ids.acmeA,
      resolution: 'secret fix',
      satisfaction: 5,
    });
    ids.caseE = await mk('case', { subject: 'Erin case', assignee: users.erin.id, contact: ids.contactA });
    ids.caseO = await mk('case', { subject: 'Outsider case', assignee: users.oscar.id, contact: ids.contactB, company: ids.acmeB });
    ids.campaign = await mk('campaign', { name: 'Spring', budget: { amount: '100000' } });
    ids.msgIn = await mk('message', { subject: 'inbound', direction: 'inbound', campaign: ids.campaign });
    ids.msgOut = await mk('message', { subject: 'outbound', direction: 'outbound' });
    // A case change with a hidden field, for the timeline.
    expect((await k.call('PATCH', `/api/records/case/${ids.caseC}`, { resolution: 'new secret', status: 'resolved' })).status).toBe(200);
  });
  afterAll(() => k?.close());

  const listIds = async (who: string, path: string) => {
    const r = await as(who)('GET', path);
    expect(r.status, `${who} ${path} ${JSON.stringify(r.body)}`).toBe(200);
    return (r.body.data as { id: string }[]).map((x) => x.id);
  };

  describe('sales_rep (all read, own writes, read-only and hidden fields)', () => {
    it('reads every contact and company but cannot see hidden case fields on any path', async () => {
      expect((await listIds('alice', '/api/records/contact')).sort()).toEqual([ids.contactA, ids.contactB].sort());
      const cases = await as('alice')('GET', '/api/records/case?limit=10');
      expect(cases.body.data).toHaveLength(3);
      for (const c of cases.body.data) expect(Object.keys(c)).not.toEqual(expect.arrayContaining(['resolution']));
      for (const c of cases.body.data) expect(c).not.toHaveProperty('satisfaction');
      const one = await as('alice')('GET', `/api/records/case/${ids.caseC}`);
      expect(one.body).not.toHaveProperty('resolution');
      const inc = await as('alice')('GET', `/api/records/company/${ids.acmeA}?include=cases`);
      expect(inc.body.cases[0]).not.toHaveProperty('resolution');
      const viaInclude = await as('alice')('GET', `/api/records/contact/${ids.contactA}?include=company`);
      expect(viaInclude.body.company.annual_revenue).toEqual({ amount: '900000000', currency: 'JPY' }); // read-only, not hidden
    });

    it('answers 403 naming a hidden field used in filter, sort, fields, relation paths and include', async () => {
      for (const path of [
        `/api/records/case?filter=${enc({ resolution: { contains: 'secret' } })}`,
        `/api/records/case?filter=${enc({ satisfaction: { gte: 1 } })}`,
        '/api/records/case?sort=-satisfaction',
        '/api/records/case?fields=subject,resolution',
        `/api/records/contact?filter=${enc({ 'cases.resolution': { contains: 'secret' } })}`,
        `/api/records/company?filter=${enc({ 'cases.satisfaction': 5 })}`,
      ]) {
        const r = await as('alice')('GET', path);
        expect(r.status, path).toBe(403);
        expect(JSON.stringify(r.body.errors), path).toMatch(/resolution|satisfaction/);
      }
      const campaign = await as('alice')('GET', `/api/records/campaign?filter=${enc({ budget: { gt: 0 } })}`);
      expect(campaign.status).toBe(403);
    });

    it('keeps hidden changes out of the timeline', async () => {
      const t = await as('alice')('GET', `/api/records/case/${ids.caseC}/timeline`);
      expect(t.status).toBe(200);
      expect(JSON.stringify(t.body)).not.toContain('secret');
      expect(t.body.data[0].changes).toEqual({ status: { from: 'open', to: 'resolved' } });
    });

    it('creates only own records, filling in the owner', async () => {
      const mine = await as('alice')('POST', '/api/records/contact', { last_name: '自分' });
      expect(mine.status).toBe(201);
      expect(mine.body.owner).toBe(users.alice.id);
      const other = await as('alice')('POST', '/api/records/contact', { last_name: '他人', owner: users.bob.id });
      expect(other.status).toBe(403);
      expect((await as('alice')('GET', `/api/records/contact?filter=${enc({ last_name: '他人' })}`)).body.data).toHaveLength(0);
      await k.call('DELETE', `/api/records/contact/${mine.body.id}?permanent=true`);
    });

    it('updates and deletes only own records, and never read-only fields', async () => {
      expect((await as('alice')('PATCH', `/api/records/contact/${ids.contactA}`, { title: '部長' })).status).toBe(200);
      const bobs = await as('alice')('PATCH', `/api/records/contact/${ids.contactB}`, { title: 'x' });
      expect(bobs.status).toBe(403);
      expect((await k.call('GET', `/api/records/contact/${ids.contactB}`)).body.title).toBeNull();
      const ro = await as('alice')('PATCH', `/api/records/contact/${ids.contactA}`, { do_not_contact: true });
      expect(ro.status).toBe(403);
      expect(ro.body.errors[0]).toMatchObject({ field: 'do_not_contact' });
      expect((await as('alice')('DELETE', `/api/records/contact/${ids.contactB}`)).status).toBe(403);
      expect((await as('alice')('PATCH', `/api/records/case/${ids.caseC}`, { status: 'closed' })).status).toBe(403);
      expect((await as('alice')('DELETE', `/api/records/company/${ids.acmeA}`)).status).toBe(403);
      expect((await as('alice')('POST', '/api/records/campaign', { name: 'x' })).status).toBe(403);
    });

    it('restores only what it may delete, and bulk obeys the same rules per row', async () => {
      const tmp = (await as('bob')('POST', '/api/records/contact', { last_name: 'ゴミ箱' })).body;
      expect((await as('bob')('DELETE', `/api/records/contact/${tmp.id}`)).status).toBe(204);
      expect((await as('alice')('POST', `/api/records/contact/${tmp.id}/restore`)).status).toBe(403);
      expect((await as('bob')('POST', `/api/records/contact/${tmp.id}/restore`)).status).toBe(200);
      const bulk = await as('alice')('POST', '/api/records/contact/bulk', {
        records: [{ last_name: 'B1' }, { last_name: 'B2', owner: users.bob.id }],
        partial: true,
      });
      expect(bulk.status).toBe(200);
      expect(bulk.body).toMatchObject({ created: 1, failed: 1 });
      expect(bulk.body.errors[0]).toMatchObject({ index: 1, status: 403 });
      const upsert = await as('alice')('POST', '/api/records/contact/bulk', {
        upsert_on: 'last_name',
        records: [{ last_name: '坂本', title: 'hijack' }],
      });
      expect(upsert.status).toBe(403); // matched bob's record: not alice's to update
      expect((await k.call('GET', `/api/records/contact/${ids.contactB}`)).body.title).toBeNull();
    });
  });

  describe('support_agent (team scope, a filter scope, hidden fields, an object it cannot read)', () => {
    it("sees only its team's cases in list, get, count, search, include, relation filters and timeline", async () => {
      expect((await listIds('carol', '/api/records/case')).sort()).toEqual([ids.caseC, ids.caseE].sort());
      expect((await as('carol')('GET', '/api/records/case?count=true')).body.page.total).toBe(2);
      expect((await as('carol')('GET', `/api/records/case/${ids.caseO}`)).status).toBe(404);
      expect(await listIds('carol', `/api/records/case?q=${encodeURIComponent('Outsider')}`)).toEqual([]);
      expect((await listIds('carol', `/api/records/case?q=${encodeURIComponent('case')}`)).sort()).toEqual([ids.caseC, ids.caseE].sort());
      const inc = await as('carol')('GET', `/api/records/contact/${ids.contactB}?include=cases`);
      expect(inc.body.cases).toEqual([]);
      expect(await listIds('carol', `/api/records/contact?filter=${enc({ 'cases.subject': { contains: 'Outsider' } })}`)).toEqual([]);
      expect(await listIds('carol', `/api/records/company?filter=${enc({ 'cases.subject': 'Outsider case' })}`)).toEqual([]);
      expect((await as('carol')('GET', `/api/records/case/${ids.caseO}/timeline`)).status).toBe(404);
      expect((await as('oscar')('GET', `/api/records/case/${ids.caseO}`)).status).toBe(200); // no team: own only
      expect(await listIds('oscar', '/api/records/case')).toEqual([ids.caseO]);
    });

    it('updates team cases only', async () => {
      expect((await as('carol')('PATCH', `/api/records/case/${ids.caseE}`, { priority: 'high' })).status).toBe(200);
      expect((await as('carol')('PATCH', `/api/records/case/${ids.caseO}`, { priority: 'high' })).status).toBe(404);
      expect((await as('carol')('DELETE', `/api/records/case/${ids.caseE}`)).status).toBe(403);
    });

    it('hides revenue and notes, including through includes, and cannot read campaigns at all', async () => {
      const c = await as('carol')('GET', `/api/records/contact/${ids.contactA}?include=company`);
      expect(c.body).not.toHaveProperty('notes');
      expect(c.body.company).not.toHaveProperty('annual_revenue');
      expect((await as('carol')('GET', '/api/records/campaign')).status).toBe(403);
      expect((await as('carol')('GET', `/api/records/message?include=campaign`)).status).toBe(403);
      expect((await as('carol')('GET', `/api/records/message?filter=${enc({ 'campaign.name': 'Spring' })}`)).status).toBe(403);
      expect((await as('carol')('PATCH', `/api/records/contact/${ids.contactA}`, { lifecycle: 'customer' })).status).toBe(403);
      expect((await as('carol')('PATCH', `/api/records/contact/${ids.contactA}`, { notes: 'x' })).status).toBe(403);
    });

    it('reads messages through a filter scope with $me', async () => {
      expect(await listIds('carol', '/api/records/message')).toEqual([ids.msgIn]);
      const mine = await as('carol')('POST', '/api/records/message', { subject: 'mine', direction: 'outbound' });
      expect(mine.status).toBe(201);
      expect((await listIds('carol', '/api/records/message')).sort()).toEqual([ids.msgIn, mine.body.id].sort());
      expect(await listIds('erin', '/api/records/message')).toEqual([ids.msgIn]);
    });
  });

  describe('viewer (read-only, a hidden searchable field)', () => {
    it('reads but never writes', async () => {
      expect((await listIds('dave', '/api/records/contact')).length).toBeGreaterThanOrEqual(2);
      expect((await as('dave')('POST', '/api/records/contact', { last_name: 'x' })).status).toBe(403);
      expect((await as('dave')('PATCH', `/api/records/contact/${ids.contactA}`, { title: 'x' })).status).toBe(403);
      expect((await as('dave')('DELETE', `/api/records/contact/${ids.contactA}`)).status).toBe(403);
      expect((await as('dave')('POST', '/api/records/contact/bulk', { records: [{ last_name: 'x' }] })).status).toBe(403);
      expect(
        (await as('dave')('POST', '/api/meta/objects/contact/fields', { name: 'x', type: 'text', label: { en: 'x', ja: 'x' } })).status,
      ).toBe(403);
      expect((await as('dave')('GET', '/api/users')).status).toBe(403);
    });

    it('cannot find records by a hidden searchable field (no search oracle)', async () => {
      expect(await listIds('dave', `/api/records/contact?q=${encodeURIComponent('090-1111')}`)).toEqual([]);
      expect(await listIds('alice', `/api/records/contact?q=${encodeURIComponent('090-1111')}`)).toEqual([ids.contactA]);
      expect(await listIds('dave', `/api/records/contact?q=${encodeURIComponent('青木')}`)).toEqual([ids.contactA]);
    });

    it('does not see hidden fields in its OpenAPI document, nor objects it cannot read', async () => {
      const doc = (await as('dave')('GET', '/api/openapi.json')).body;
      expect(Object.keys(doc.components.schemas.Contact.properties)).not.toContain('mobile');
      expect(Object.keys(doc.components.schemas.Contact.properties)).toContain('last_name');
      const carol = (await as('carol')('GET', '/api/openapi.json')).body;
      expect(carol.components.schemas.Campaign).toBeUndefined();
      const admin = (await k.call('GET', '/api/openapi.json')).body;
      expect(Object.keys(admin.components.schemas.Contact.properties)).toContain('mobile');
    });
  });

  describe('API keys narrowed to a role', () => {
    it('gives no more than the key role, even to an admin', async () => {
      const aliceViewer = (await k.call('POST', '/api/api-keys', { name: 'alice read-only', user_id: users.alice.id, role: 'viewer' })).body
        .key;
      const asKey = (key: string) => (m: string, p: string, b?: unknown) => k.call(m, p, b, { authorization: `Bearer ${key}` });
      expect((await asKey(aliceViewer)('POST', '/api/records/contact', { last_name: 'x' })).status).toBe(403);
      expect((await asKey(aliceViewer)('GET', `/api/records/contact/${ids.contactA}`)).body).not.toHaveProperty('mobile');
      const adminViewer = (await k.call('POST', '/api/api-keys', { name: 'admin read-only', role: 'viewer' })).body.key;
      expect((await asKey(adminViewer)('POST', '/api/records/contact', { last_name: 'x' })).status).toBe(403);
      expect(
        (await asKey(adminViewer)('POST', '/api/meta/objects/contact/fields', { name: 'x', type: 'text', label: { en: 'x', ja: 'x' } }))
          .status,
      ).toBe(403);
      expect((await asKey(adminViewer)('GET', '/api/records/contact?limit=1')).status).toBe(200);
    });
  });

  it('applies a role change at once', async () => {
    expect((await as('dave')('POST', '/api/records/contact', { last_name: 'x' })).status).toBe(403);
    await k.call('PATCH', `/api/users/${users.dave.id}`, { roles: ['viewer', 'sales_rep'] });
    const r = await as('dave')('POST', '/api/records/contact', { last_name: '昇格' });
    expect(r.status).toBe(201);
    expect(r.body.owner).toBe(users.dave.id);
    await k.call('PATCH', `/api/users/${users.dave.id}`, { roles: ['viewer'] });
    expect((await as('dave')('POST', '/api/records/contact', { last_name: 'x' })).status).toBe(403);
  });
});
